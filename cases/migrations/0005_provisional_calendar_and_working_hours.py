"""The calendar never runs out: which years are the State Council's arrangement (2024–2026, seeded by 0002) and
which are provisional, computed from the statutory rules (the three years after); cases remember whether their
deadline was counted over provisional days; categories may count working hours."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OFFICIAL = (2024, 2025, 2026)
PROVISIONAL = (2027, 2028, 2029)


def seed_years(apps, schema_editor):
    from cases.calendar import statutory_days  # pure: the rules and the lunar dates, no models

    HolidayYear = apps.get_model("cases", "HolidayYear")
    Holiday = apps.get_model("cases", "Holiday")
    now = datetime.datetime.now(datetime.UTC)
    for year in OFFICIAL:
        HolidayYear.objects.get_or_create(year=year, defaults=dict(
            provisional=False, source="chinese-calendar 1.11.0（国务院办公厅通知）", entered_at=now))
    for year in PROVISIONAL:
        _entry, created = HolidayYear.objects.get_or_create(year=year, defaults=dict(
            provisional=True, source="《全国年节及纪念日放假办法》推算（暂定）", entered_at=now))
        if created:
            Holiday.objects.bulk_create([Holiday(date=day, is_workday=False, name=name, provisional=True)
                                         for day, name in statutory_days(year)], ignore_conflicts=True)


def unseed_years(apps, schema_editor):
    apps.get_model("cases", "Holiday").objects.filter(provisional=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_photo_path_index_and_lengths'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='deadline_provisional',
            field=models.BooleanField(db_default=False, default=False, verbose_name='按暂定日历计算'),
        ),
        migrations.AddField(
            model_name='holiday',
            name='provisional',
            field=models.BooleanField(db_default=False, default=False, verbose_name='暂定'),
        ),
        migrations.AlterField(
            model_name='casecategory',
            name='limit_unit',
            field=models.CharField(choices=[('working_days', '工作日'), ('hours', '小时'), ('working_hours', '工作小时')], default='working_days', max_length=16, verbose_name='时限单位'),
        ),
        migrations.CreateModel(
            name='HolidayYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(unique=True, verbose_name='年度')),
                ('provisional', models.BooleanField(default=True, verbose_name='暂定')),
                ('source', models.CharField(max_length=100, verbose_name='来源')),
                ('entered_at', models.DateTimeField(verbose_name='录入时间')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
            ],
            options={
                'verbose_name': '年度放假安排',
                'verbose_name_plural': '年度放假安排',
                'ordering': ['year'],
            },
        ),
        migrations.RunPython(seed_years, unseed_years),
    ]
