"""The register and the ledger (households, sites, patrols, visits, spot checks, daily reports …) left grids for
the ledger app, tables and rows included: grids forgets them in its state only. Nothing is dropped; ledger 0001
took the same tables over.

It runs after cases 0006, which points the cases' foreign keys at the ledger's models: until then the state still
needs grids.Visit and grids.FindingCategory. The GridPrefix view (0005) stays with grids: it is derived from the
places' codes alone.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('grids', '0006_photo_path_index_and_lengths'),
        ('ledger', '0001_initial'),
        ('cases', '0006_case_refs_to_ledger'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='VisitPhoto'),
                migrations.DeleteModel(name='SpotCheckPhoto'),
                migrations.DeleteModel(name='Visit'),
                migrations.DeleteModel(name='SpotCheck'),
                migrations.DeleteModel(name='Patrol'),
                migrations.DeleteModel(name='Household'),
                migrations.DeleteModel(name='Site'),
                migrations.DeleteModel(name='DailyReport'),
                migrations.DeleteModel(name='FindingCategory'),
                migrations.DeleteModel(name='HouseholdTag'),
            ],
        ),
    ]
