"""The cases' references to a visit and to a finding category now point at the ledger's models.

State only: the tables are the same (`grids_visit`, `grids_findingcategory`), so the columns and their foreign
key constraints in the database are already right; altering them would rebuild `cases_case` on SQLite.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0005_provisional_calendar_and_working_hours'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='case',
                    name='visit',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='case', to='ledger.visit', verbose_name='来源走访'),
                ),
                migrations.AlterField(
                    model_name='casecategory',
                    name='finding_category',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='case_categories', to='ledger.findingcategory', verbose_name='对应走访问题类别'),
                ),
            ],
        ),
    ]
