from django.db import migrations


class Migration(migrations.Migration):
    """The history of party organisations follows its source: `grid` becomes `place` (same column, renamed)."""

    dependencies = [("audit", "0013_meeting_attendance_check_in"), ("outreach", "0010_party_organization_place")]

    operations = [migrations.RenameField("partyorganizationhistory", "grid", "place")]
