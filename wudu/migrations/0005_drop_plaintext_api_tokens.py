"""API tokens moved to django-rest-knox (stored as digests, wudu/tokens.py): the old table of DRF's authtoken kept
every key in plain text. Dropping it signs every app out once; they sign in again for an expiring token."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("wudu", "0004_outbox"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
