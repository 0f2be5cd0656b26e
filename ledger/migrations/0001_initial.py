"""The ledger takes over its tables from grids, in place: no table is created, renamed or copied.

The models keep their tables (`db_table = "grids_visit"` …), so this migration only adds them to the ledger's
state (grids 0007 removes them from grids' state, after cases 0006 has pointed the cases' foreign keys here).
Indexes, constraints and sequences stay as they are. The content types of the moved models are relabelled from
grids to ledger, so the admin's history and the permissions granted on them follow the models.
"""

import django.core.validators
import django.db.models.deletion
import ledger.models
from django.conf import settings
from django.db import migrations, models

MOVED = ("householdtag", "household", "site", "findingcategory", "patrol", "visit", "visitphoto", "dailyreport",
         "spotcheck", "spotcheckphoto")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=old, model=model).exists():
            continue  # a new installation: post_migrate creates the ledger's content types
        # A row under the new label can only come from a post_migrate run in between: it has no history yet,
        # while the old row carries the admin's log and the permissions granted; the old row wins.
        rows.filter(app_label=new, model=model).delete()
        rows.filter(app_label=old, model=model).update(app_label=new)
    ContentType.objects.clear_cache()


def content_types_to_ledger(apps, schema_editor):
    _relabel(apps, schema_editor, "grids", "ledger")


def content_types_to_grids(apps, schema_editor):
    _relabel(apps, schema_editor, "ledger", "grids")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grids', '0006_photo_path_index_and_lengths'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='FindingCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, unique=True, verbose_name='简码')),
                        ('name', models.CharField(max_length=30, unique=True, verbose_name='名称')),
                        ('active', models.BooleanField(default=True, verbose_name='启用')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        'verbose_name': '问题类别',
                        'verbose_name_plural': '问题类别',
                        'db_table': 'grids_findingcategory',
                        'ordering': ['sort_order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HouseholdTag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=30, unique=True, verbose_name='简码')),
                        ('name', models.CharField(max_length=30, unique=True, verbose_name='名称')),
                        ('sort_order', models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        'verbose_name': '户标签',
                        'verbose_name_plural': '户标签',
                        'db_table': 'grids_householdtag',
                        'ordering': ['sort_order', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Household',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('address', models.CharField(max_length=200, verbose_name='地址')),
                        ('unit', models.CharField(blank=True, max_length=20, verbose_name='单元')),
                        ('room', models.CharField(blank=True, max_length=20, verbose_name='门牌号')),
                        ('head_name', models.CharField(blank=True, max_length=50, verbose_name='户主')),
                        ('phone', models.CharField(blank=True, max_length=11, validators=[django.core.validators.RegexValidator('^1\\d{10}$', '请输入以 1 开头的 11 位手机号码，例如 13800000000。')], verbose_name='联系电话')),
                        ('residents', models.PositiveSmallIntegerField(default=1, verbose_name='居住人数')),
                        ('id_number', models.CharField(blank=True, max_length=18, verbose_name='身份证号')),
                        ('version', models.PositiveIntegerField(default=1, editable=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('building', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='building_households', to='grids.place', verbose_name='楼院')),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='households', to='grids.place', verbose_name='网格')),
                        ('tags', models.ManyToManyField(blank=True, related_name='households', to='ledger.householdtag', verbose_name='标签')),
                    ],
                    options={
                        'verbose_name': '住户',
                        'verbose_name_plural': '住户',
                        'db_table': 'grids_household',
                        'ordering': ['grid', 'address', 'unit', 'room', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Patrol',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField(unique=True)),
                        ('started_at', models.DateTimeField(verbose_name='开始时间')),
                        ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='结束时间')),
                        ('duration_seconds', models.PositiveIntegerField(blank=True, null=True, verbose_name='巡查时长（秒）')),
                        ('route', models.JSONField(blank=True, default=list, verbose_name='轨迹')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='patrols', to='grids.place', verbose_name='网格')),
                        ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='patrols', to=settings.AUTH_USER_MODEL, verbose_name='网格员')),
                    ],
                    options={
                        'verbose_name': '巡查',
                        'verbose_name_plural': '巡查',
                        'db_table': 'grids_patrol',
                        'ordering': ['-started_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Site',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('shop', '商铺'), ('construction', '工地'), ('factory', '企业'), ('monitoring_station', '国控站点'), ('public', '公共场所'), ('other', '其他')], max_length=32, verbose_name='类别')),
                        ('name', models.CharField(max_length=100, verbose_name='名称')),
                        ('address', models.CharField(blank=True, max_length=200, verbose_name='地址')),
                        ('lng', models.FloatField(blank=True, null=True, verbose_name='经度')),
                        ('lat', models.FloatField(blank=True, null=True, verbose_name='纬度')),
                        ('duty_radius_m', models.PositiveIntegerField(blank=True, null=True, verbose_name='责任半径（米）')),
                        ('version', models.PositiveIntegerField(default=1, editable=False)),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sites', to='grids.place', verbose_name='网格')),
                    ],
                    options={
                        'verbose_name': '场所',
                        'verbose_name_plural': '场所',
                        'db_table': 'grids_site',
                        'ordering': ['grid', 'kind', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='SpotCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField(unique=True)),
                        ('checked_on', models.DateField(verbose_name='暗访日期')),
                        ('findings', models.TextField(max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='发现问题')),
                        ('score', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='评分')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spot_checks', to='grids.place', verbose_name='网格')),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='spot_checks', to='ledger.site', verbose_name='场所')),
                        ('supervisor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='spot_checks', to=settings.AUTH_USER_MODEL, verbose_name='督导人')),
                    ],
                    options={
                        'verbose_name': '暗访督导',
                        'verbose_name_plural': '暗访督导',
                        'db_table': 'grids_spotcheck',
                        'ordering': ['-checked_on', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='SpotCheckPhoto',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.ImageField(db_index=True, upload_to='spot-checks/%Y/%m/')),
                        ('thumbnail', models.ImageField(db_index=True, upload_to='spot-checks/%Y/%m/')),
                        ('sha256', models.CharField(max_length=64)),
                        ('spot_check', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='ledger.spotcheck')),
                    ],
                    options={
                        'db_table': 'grids_spotcheckphoto',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='Visit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('client_id', models.UUIDField(unique=True)),
                        ('visited_at', models.DateTimeField(verbose_name='走访时间')),
                        ('visit_type', models.CharField(choices=[('household', '入户走访'), ('patrol', '日常巡查'), ('follow_up', '回访')], max_length=16, verbose_name='走访类型')),
                        ('finding', models.CharField(blank=True, max_length=500, verbose_name='情况说明')),
                        ('action', models.CharField(blank=True, max_length=500, verbose_name='处理情况')),
                        ('settled', models.BooleanField(default=True, verbose_name='当场解决')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True, verbose_name='转事件时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='ledger.findingcategory', verbose_name='发现问题')),
                        ('grid', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='grids.place', verbose_name='网格')),
                        ('household', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='ledger.household', verbose_name='住户')),
                        ('patrol', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='ledger.patrol', verbose_name='巡查')),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='ledger.site', verbose_name='场所')),
                        ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='visits', to=settings.AUTH_USER_MODEL, verbose_name='网格员')),
                    ],
                    options={
                        'verbose_name': '走访记录',
                        'verbose_name_plural': '走访记录',
                        'db_table': 'grids_visit',
                        'ordering': ['-visited_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='VisitPhoto',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.ImageField(db_index=True, upload_to=ledger.models.visit_photo_path)),
                        ('thumbnail', models.ImageField(db_index=True, upload_to=ledger.models.visit_photo_path)),
                        ('sha256', models.CharField(max_length=64)),
                        ('visit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='ledger.visit')),
                    ],
                    options={
                        'db_table': 'grids_visitphoto',
                        'ordering': ['id'],
                    },
                ),
                migrations.CreateModel(
                    name='DailyReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(verbose_name='日期')),
                        ('patrols', models.PositiveIntegerField(default=0, verbose_name='巡查次数')),
                        ('patrol_seconds', models.PositiveIntegerField(default=0, verbose_name='巡查时长（秒）')),
                        ('visits', models.PositiveIntegerField(default=0, verbose_name='走访次数')),
                        ('households_reached', models.PositiveIntegerField(default=0, verbose_name='走访户数')),
                        ('findings', models.PositiveIntegerField(default=0, verbose_name='发现问题')),
                        ('open_findings', models.PositiveIntegerField(default=0, verbose_name='未解决问题')),
                        ('grids_total', models.PositiveIntegerField(default=0, verbose_name='网格数')),
                        ('grids_patrolled', models.PositiveIntegerField(default=0, verbose_name='已巡查网格数')),
                        ('workers_on_duty', models.PositiveIntegerField(default=0, verbose_name='在岗网格员')),
                        ('short_grids', models.JSONField(blank=True, default=list)),
                        ('built_at', models.DateTimeField(auto_now=True)),
                        ('place', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='daily_reports', to='grids.place')),
                    ],
                    options={
                        'verbose_name': '日报告',
                        'verbose_name_plural': '日报告',
                        'db_table': 'grids_dailyreport',
                        'ordering': ['-date', 'place__code'],
                        'indexes': [models.Index(fields=['date', 'place'], name='daily_report_date_place')],
                        'constraints': [models.UniqueConstraint(fields=('place', 'date'), name='daily_report_unique')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='household',
                    constraint=models.UniqueConstraint(fields=('grid', 'address', 'unit', 'room'), name='household_unique_address'),
                ),
                migrations.AddIndex(
                    model_name='patrol',
                    index=models.Index(fields=['grid', 'started_at'], name='patrol_grid_time'),
                ),
                migrations.AddIndex(
                    model_name='patrol',
                    index=models.Index(fields=['worker', 'started_at'], name='patrol_worker_time'),
                ),
                migrations.AddConstraint(
                    model_name='patrol',
                    constraint=models.UniqueConstraint(condition=models.Q(('ended_at__isnull', True)), fields=('worker',), name='patrol_one_open_per_worker', violation_error_message='您已有一次未结束的巡查，请先结束它。'),
                ),
                migrations.AddConstraint(
                    model_name='patrol',
                    constraint=models.CheckConstraint(condition=models.Q(('ended_at__isnull', True), ('ended_at__gte', models.F('started_at')), _connector='OR'), name='patrol_ends_after_start', violation_error_message='巡查结束时间不能早于开始时间。'),
                ),
                migrations.AddConstraint(
                    model_name='site',
                    constraint=models.UniqueConstraint(fields=('grid', 'name'), name='site_unique_name'),
                ),
                migrations.AddIndex(
                    model_name='spotcheck',
                    index=models.Index(fields=['grid', 'checked_on'], name='spot_check_grid_date'),
                ),
                migrations.AddConstraint(
                    model_name='spotcheck',
                    constraint=models.CheckConstraint(condition=models.Q(('score__gte', 0), ('score__lte', 100)), name='spot_check_score_range', violation_error_message='评分应在 0 到 100 之间。'),
                ),
                migrations.AddConstraint(
                    model_name='spotcheckphoto',
                    constraint=models.UniqueConstraint(fields=('spot_check', 'sha256'), name='spot_check_photo_unique'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['-visited_at', '-id'], name='visit_time_desc'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['grid', 'visited_at'], name='visit_grid_time'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['household', 'visited_at'], name='visit_household_time'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['worker', 'visited_at'], name='visit_worker_time'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['category', 'visited_at'], name='visit_category_time'),
                ),
                migrations.AddIndex(
                    model_name='visit',
                    index=models.Index(fields=['settled', 'visited_at'], name='visit_settled_time'),
                ),
                migrations.AddConstraint(
                    model_name='visit',
                    constraint=models.CheckConstraint(condition=models.Q(('household__isnull', False), ('site__isnull', False), _negated=True), name='visit_household_or_site', violation_error_message='一条走访记录只能对应一个住户或一个场所。'),
                ),
                migrations.AddConstraint(
                    model_name='visitphoto',
                    constraint=models.UniqueConstraint(fields=('visit', 'sha256'), name='visit_photo_unique'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to_ledger, content_types_to_grids),
    ]
