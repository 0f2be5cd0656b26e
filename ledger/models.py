"""The grid's register (households, other places) and its ledger: patrols, visits, daily reports, spot checks.

The tables keep the names they had when these models lived in grids (`grids_visit` …): the ledger app took them
over in place, without moving a row (migrations ledger 0001, grids 0007, cases 0006).

《网格工作走访台账》: who walked, when, how long, where, which households or places were visited, what
was found and what was done. Every record a phone submits carries the client's UUID (`client_id`), so a
retry returns the record already saved.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from wudu.rules import mobile_validator
from wudu.scope import ScopedQuerySet


class HouseholdTag(models.Model):
    """A configurable label for households needing attention (独居老人, 低保户, 残疾人, 重点人员 …)."""

    code = models.SlugField(_("简码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "grids_householdtag"
        verbose_name = _("户标签")
        verbose_name_plural = _("户标签")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class HouseholdQuerySet(ScopedQuerySet):
    scope_resource = "household"


class Household(models.Model):
    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(
        Place, verbose_name=_("楼院"), null=True, blank=True, on_delete=models.PROTECT, related_name="building_households"
    )
    address = models.CharField(_("地址"), max_length=200)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("门牌号"), max_length=20, blank=True)
    head_name = models.CharField(_("户主"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=11, blank=True, validators=[mobile_validator])
    residents = models.PositiveSmallIntegerField(_("居住人数"), default=1)
    tags = models.ManyToManyField(HouseholdTag, verbose_name=_("标签"), blank=True, related_name="households")
    # Stored only when settings.STORE_ID_NUMBERS is on; always shown masked (see `masked_id_number`).
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        db_table = "grids_household"
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["grid", "address", "unit", "room", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "address", "unit", "room"], name="household_unique_address"),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in (self.address, self.unit, self.room) if part)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)


def mask_id_number(value: str) -> str:
    """110101********1234: never shown or exported in full."""
    if not value:
        return ""
    return value[:6] + "*" * max(0, len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


class SiteKind(models.TextChoices):
    SHOP = "shop", _("商铺")
    CONSTRUCTION = "construction", _("工地")
    FACTORY = "factory", _("企业")
    MONITORING_STATION = "monitoring_station", _("国控站点")
    PUBLIC = "public", _("公共场所")
    OTHER = "other", _("其他")


class SiteQuerySet(ScopedQuerySet):
    scope_resource = "site"


class Site(models.Model):
    """A place of a grid other than a household: shops, sites, national air-quality monitoring stations."""

    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="sites")
    kind = models.CharField(_("类别"), max_length=32, choices=SiteKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    duty_radius_m = models.PositiveIntegerField(_("责任半径（米）"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = SiteQuerySet.as_manager()

    class Meta:
        db_table = "grids_site"
        verbose_name = _("场所")
        verbose_name_plural = _("场所")
        ordering = ["grid", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["grid", "name"], name="site_unique_name")]

    def __str__(self) -> str:
        return self.name


class FindingCategory(models.Model):
    """What a visit found (安全隐患, 环境卫生, 矛盾纠纷 …): configurable, never deleted once used."""

    code = models.SlugField(_("简码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "grids_findingcategory"
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class PatrolQuerySet(ScopedQuerySet):
    scope_resource = "patrol"


class Patrol(models.Model):
    client_id = models.UUIDField(unique=True)
    worker = models.ForeignKey(User, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="patrols")
    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="patrols")
    started_at = models.DateTimeField(_("开始时间"))
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("巡查时长（秒）"), null=True, blank=True)
    # [[lng, lat, unix seconds], …] from the browser's geolocation, when the worker allowed it.
    route = models.JSONField(_("轨迹"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        db_table = "grids_patrol"
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(ended_at__isnull=True), name="patrol_one_open_per_worker",
                violation_error_message=_("您已有一次未结束的巡查，请先结束它。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="patrol_ends_after_start",
                violation_error_message=_("巡查结束时间不能早于开始时间。"),
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "started_at"], name="patrol_grid_time"),
            models.Index(fields=["worker", "started_at"], name="patrol_worker_time"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.grid.name} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class VisitType(models.TextChoices):
    HOUSEHOLD = "household", _("入户走访")
    PATROL = "patrol", _("日常巡查")
    FOLLOW_UP = "follow_up", _("回访")


class VisitQuerySet(ScopedQuerySet):
    scope_resource = "visit"


class Visit(models.Model):
    client_id = models.UUIDField(unique=True)
    patrol = models.ForeignKey(Patrol, verbose_name=_("巡查"), on_delete=models.PROTECT, related_name="visits")
    # Denormalised from the patrol: the ledger filters and groups by them without a join.
    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="visits")
    worker = models.ForeignKey(User, verbose_name=_("网格员"), on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("走访时间"))
    visit_type = models.CharField(_("走访类型"), max_length=16, choices=VisitType.choices)
    household = models.ForeignKey(
        Household, verbose_name=_("住户"), null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    site = models.ForeignKey(Site, verbose_name=_("场所"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="visits")
    category = models.ForeignKey(
        FindingCategory, verbose_name=_("发现问题"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="visits",
    )
    finding = models.CharField(_("情况说明"), max_length=500, blank=True)
    action = models.CharField(_("处理情况"), max_length=500, blank=True)
    settled = models.BooleanField(_("当场解决"), default=True)
    # Set when the finding is turned into a case (the case closed-loop consumes open findings).
    escalated_at = models.DateTimeField(_("转事件时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        db_table = "grids_visit"
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(household__isnull=False) & Q(site__isnull=False)), name="visit_household_or_site",
                violation_error_message=_("一条走访记录只能对应一个住户或一个场所。"),
            ),
        ]
        indexes = [
            # The ledger's order: page 1 and page 1,000 both walk this index (measured in make bench).
            models.Index(fields=["-visited_at", "-id"], name="visit_time_desc"),
            models.Index(fields=["grid", "visited_at"], name="visit_grid_time"),
            models.Index(fields=["household", "visited_at"], name="visit_household_time"),
            models.Index(fields=["worker", "visited_at"], name="visit_worker_time"),
            models.Index(fields=["category", "visited_at"], name="visit_category_time"),
            models.Index(fields=["settled", "visited_at"], name="visit_settled_time"),
        ]

    def __str__(self) -> str:
        return f"{self.visit_type_label} · {self.visited_at:%Y-%m-%d %H:%M}"

    @property
    def visit_type_label(self) -> str:
        """The label by an enum lookup (get_visit_type_display() rebuilds the choices dict on every row)."""
        return VisitType(self.visit_type).label

    @property
    def is_open_finding(self) -> bool:
        return self.category_id is not None and not self.settled and self.escalated_at is None


def visit_photo_path(instance, filename: str) -> str:
    return f"visits/{instance.visit.visited_at:%Y/%m}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    # Indexed: the gated media view finds a file's owner by its path (wudu/media.py).
    image = models.ImageField(upload_to=visit_photo_path, db_index=True)
    thumbnail = models.ImageField(upload_to=visit_photo_path, db_index=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        db_table = "grids_visitphoto"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["visit", "sha256"], name="visit_photo_unique")]

    def __str__(self) -> str:
        return self.image.name


class DailyReportQuerySet(ScopedQuerySet):
    scope_resource = "daily_report"


class DailyReport(models.Model):
    """One place's day (日报告): built at 21:00 for every grid and summed up each level; rebuilt exactly."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="daily_reports")
    date = models.DateField(_("日期"))
    patrols = models.PositiveIntegerField(_("巡查次数"), default=0)
    patrol_seconds = models.PositiveIntegerField(_("巡查时长（秒）"), default=0)
    visits = models.PositiveIntegerField(_("走访次数"), default=0)
    households_reached = models.PositiveIntegerField(_("走访户数"), default=0)
    findings = models.PositiveIntegerField(_("发现问题"), default=0)
    open_findings = models.PositiveIntegerField(_("未解决问题"), default=0)
    grids_total = models.PositiveIntegerField(_("网格数"), default=0)
    grids_patrolled = models.PositiveIntegerField(_("已巡查网格数"), default=0)
    workers_on_duty = models.PositiveIntegerField(_("在岗网格员"), default=0)
    # Codes of the grids below the minimum daily patrol time (the pollution-control duty).
    short_grids = models.JSONField(default=list, blank=True)
    built_at = models.DateTimeField(auto_now=True)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        db_table = "grids_dailyreport"
        verbose_name = _("日报告")
        verbose_name_plural = _("日报告")
        ordering = ["-date", "place__code"]
        constraints = [models.UniqueConstraint(fields=["place", "date"], name="daily_report_unique")]
        indexes = [models.Index(fields=["date", "place"], name="daily_report_date_place")]

    def __str__(self) -> str:
        return f"{self.place_id} · {self.date}"


class SpotCheckQuerySet(ScopedQuerySet):
    scope_resource = "spot_check"


class SpotCheck(models.Model):
    """A covert check (暗访督导) of a grid or a monitoring station: seen by the levels above the grid only."""

    client_id = models.UUIDField(unique=True)
    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="spot_checks")
    site = models.ForeignKey(Site, verbose_name=_("场所"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="spot_checks")
    supervisor = models.ForeignKey(User, verbose_name=_("督导人"), on_delete=models.PROTECT, related_name="spot_checks")
    checked_on = models.DateField(_("暗访日期"))
    findings = models.TextField(_("发现问题"), max_length=2000, validators=[MaxLengthValidator(2000)])
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpotCheckQuerySet.as_manager()

    class Meta:
        db_table = "grids_spotcheck"
        verbose_name = _("暗访督导")
        verbose_name_plural = _("暗访督导")
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="spot_check_score_range",
                                   violation_error_message=_("评分应在 0 到 100 之间。")),
        ]
        indexes = [models.Index(fields=["grid", "checked_on"], name="spot_check_grid_date")]

    def __str__(self) -> str:
        return f"{self.grid_id} · {self.checked_on}"


class SpotCheckPhoto(models.Model):
    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="spot-checks/%Y/%m/", db_index=True)
    thumbnail = models.ImageField(upload_to="spot-checks/%Y/%m/", db_index=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        db_table = "grids_spotcheckphoto"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["spot_check", "sha256"], name="spot_check_photo_unique")]

    def __str__(self) -> str:
        return self.image.name

