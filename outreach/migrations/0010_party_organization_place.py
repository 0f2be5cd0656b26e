from django.db import migrations


class Migration(migrations.Migration):
    """A party organisation stands on a community or a grid: `grid` becomes `place` (same column, renamed)."""

    dependencies = [("outreach", "0009_meeting_attendance_check_in")]

    operations = [migrations.RenameField("partyorganization", "grid", "place")]
