"""Cases (事件): from a finding or a resident's request, through the command center and a department, back to the
resident's verdict. The state machine lives on `Case` (django-fsm transitions, defined once); who may take each
step is `cases.workflow`; every step is performed by `cases.services` and leaves an immutable `CaseEvent`."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from wudu.models import AppendOnly
from wudu.rules import resident_mobile_validator
from wudu.scope import ScopedQuerySet


class LimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    HOURS = "hours", _("小时")
    # Office hours only (settings.OFFICE_HOURS): nights, the lunch break, weekends and holidays do not count.
    WORKING_HOURS = "working_hours", _("工作小时")


class CaseCategoryQuerySet(ScopedQuerySet):
    scope_resource = "case_category"


class CaseCategory(models.Model):
    """What a case is about, which department owns it and how long it may take (configurable)."""

    district = models.ForeignKey("grids.Place", verbose_name=_("所属区"), on_delete=models.PROTECT,
                                 related_name="case_categories")
    code = models.SlugField(_("简码"), max_length=30)
    name = models.CharField(_("名称"), max_length=30)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    department = models.ForeignKey("grids.Department", verbose_name=_("责任部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="case_categories")
    time_limit = models.PositiveSmallIntegerField(
        _("处置时限"), default=5, validators=[MinValueValidator(1), MaxValueValidator(720)])
    limit_unit = models.CharField(_("时限单位"), max_length=16, choices=LimitUnit.choices,
                                  default=LimitUnit.WORKING_DAYS)
    # A patrol finding of this kind becomes a case of this category with one tap from the ledger.
    finding_category = models.ForeignKey("ledger.FindingCategory", verbose_name=_("对应走访问题类别"), null=True,
                                         blank=True, on_delete=models.SET_NULL, related_name="case_categories")
    public = models.BooleanField(_("居民可选"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = CaseCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="case_category_unique_code"),
            models.UniqueConstraint(fields=["district", "name"], name="case_category_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class HolidayYear(models.Model):
    """Whose word one year of the holiday calendar is: the State Council's arrangement as entered (official), or
    the days the statutory rules give until it is published (provisional: without the 调休 swaps nobody can know
    in advance). A year with no row here is computed from the rules when a deadline needs it."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    provisional = models.BooleanField(_("暂定"), default=True)
    source = models.CharField(_("来源"), max_length=100)
    entered_at = models.DateTimeField(_("录入时间"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("年度放假安排")
        verbose_name_plural = _("年度放假安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} {self.source}"


class Holiday(models.Model):
    """An exception to Monday–Friday: a public holiday on a weekday, or a working weekend (调休)."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("调休上班"), default=False)
    name = models.CharField(_("名称"), max_length=30, blank=True)
    # Computed from the statutory rules (cases.calendar.statutory_days), replaced when the year's official
    # arrangement is entered (cases.holidays.holiday_year_enter).
    provisional = models.BooleanField(_("暂定"), default=False, db_default=False)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Kind(models.TextChoices):
    ORDINARY = "ordinary", _("一般事件")
    PETITION = "petition", _("信访事项")


class Source(models.TextChoices):
    PATROL = "patrol", _("网格员上报")
    RESIDENT = "resident", _("居民自助")
    HOTLINE = "hotline", _("热线登记")
    ASSIGNED = "assigned", _("上级交办")
    OPEN311 = "open311", _("第三方应用")


class Level(models.TextChoices):
    BUILDING = "building", _("楼院")
    GRID = "grid", _("网格")
    CENTER = "center", _("指挥中心")


class Status(models.TextChoices):
    LOCAL = "local", _("网格处置中")
    SELF_HANDLED = "self_handled", _("自行处置")
    REPORTED = "reported", _("待受理")
    CANCELLED = "cancelled", _("已注销")
    FILED = "filed", _("待派遣")
    DISPATCHED = "dispatched", _("待签收")
    RETURNED = "returned", _("已退回")
    HANDLING = "handling", _("处置中")
    EXTENSION = "extension", _("延期申请中")
    SUSPENDED = "suspended", _("挂账")
    FED_BACK = "fed_back", _("待核查")
    AWAITING_EVALUATION = "awaiting_evaluation", _("待评价")
    CLOSED = "closed", _("已结案")


# A department holds the case (its clock runs) in these states.
AT_DEPARTMENT = (Status.DISPATCHED, Status.HANDLING, Status.EXTENSION)
FINISHED = (Status.SELF_HANDLED, Status.CANCELLED, Status.CLOSED)
OPEN = tuple(s for s in Status.values if s not in FINISHED)


class Alert(models.TextChoices):
    NONE = "", _("正常")
    DUE_SOON = "due_soon", _("即将超期")
    OVERDUE = "overdue", _("已超期")


class Evaluation(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class EvaluationChannel(models.TextChoices):
    """How a verdict came: the resident's own, through the tracking link, or taken down by staff on a phone call
    back to the resident (recorded with the person who called)."""

    RESIDENT = "resident", _("居民自评")
    PHONE = "phone", _("电话回访")


class CaseQuerySet(ScopedQuerySet):
    scope_resource = "case"

    def open(self):
        return self.exclude(status__in=FINISHED)


class Case(models.Model):
    reference = models.CharField(_("受理编号"), max_length=20, unique=True)
    # The secret of the resident's private tracking link (the reference number alone opens nothing).
    tracking_token = models.CharField(max_length=43, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    level = models.CharField(_("处置层级"), max_length=16, choices=Level.choices, default=Level.CENTER)
    status = FSMField(_("状态"), max_length=24, choices=Status.choices, default=Status.REPORTED)
    category = models.ForeignKey(CaseCategory, verbose_name=_("事件类别"), on_delete=models.PROTECT,
                                 related_name="cases")
    grid = models.ForeignKey("grids.Place", verbose_name=_("网格"), on_delete=models.PROTECT, related_name="cases")
    building = models.ForeignKey("grids.Place", verbose_name=_("楼院"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="building_cases")
    lng = models.FloatField(_("经度"), null=True, blank=True,
                            validators=[MinValueValidator(-180), MaxValueValidator(180)])
    lat = models.FloatField(_("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("问题描述"), max_length=1000, validators=[MaxLengthValidator(1000)])
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上报人"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reported_cases")
    resident_name = models.CharField(_("居民称呼"), max_length=30, blank=True)
    resident_mobile = models.CharField(_("居民手机"), max_length=11, blank=True, validators=[resident_mobile_validator])
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    visit = models.OneToOneField("ledger.Visit", verbose_name=_("来源走访"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="case")
    department = models.ForeignKey("grids.Department", verbose_name=_("处置部门"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases")
    # The clock: it starts at dispatch; due-soon at 80 % of the limit; only an approved extension or a new
    # dispatch moves the deadline.
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("处置时限"), null=True, blank=True)
    # The deadline was counted over days of a provisional calendar year: it is recounted (with an event saying
    # why) when that year's official arrangement is entered.
    deadline_provisional = models.BooleanField(_("按暂定日历计算"), default=False, db_default=False)
    due_soon_at = models.DateTimeField(null=True, blank=True)
    alert = models.CharField(_("时限预警"), max_length=16, choices=Alert.choices, default=Alert.NONE, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("申请延期天数"), null=True, blank=True)
    supervised = models.BooleanField(_("督办"), default=False)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    reworks = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    evaluation = models.CharField(_("评价"), max_length=16, choices=Evaluation.choices, blank=True)
    evaluation_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    evaluation_channel = models.CharField(_("评价渠道"), max_length=16, choices=EvaluationChannel.choices, blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回访人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="recorded_evaluations")
    fed_back_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-id"]
        constraints = [
            # The length limit holds on every path, in the database too (a TextField's max_length alone does not).
            models.CheckConstraint(condition=LessThanOrEqual(Length("description"), 1000), name="case_description_length",
                                   violation_error_message=_("问题描述不能超过 1000 字。")),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(dispatched_at__isnull=False, deadline__gt=models.F("dispatched_at")),
                name="case_deadline_after_dispatch",
                violation_error_message=_("处置时限必须晚于派遣时间。"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=AT_DEPARTMENT) | Q(department__isnull=False, deadline__isnull=False),
                name="case_department_holds_with_deadline",
            ),
            # A verdict taken down on a call back names who called; the resident's own names nobody.
            models.CheckConstraint(
                condition=Q(evaluation_channel=EvaluationChannel.PHONE, evaluated_by__isnull=False)
                | (~Q(evaluation_channel=EvaluationChannel.PHONE) & Q(evaluated_by__isnull=True)),
                name="case_phone_evaluation_names_caller",
            ),
        ]
        indexes = [
            # Queues and lists walk these in id order (keyset pages).
            models.Index(fields=["status", "-id"], name="case_status_id"),
            models.Index(fields=["department", "status", "-id"], name="case_department_status_id"),
            models.Index(fields=["grid", "-id"], name="case_grid_id"),
            models.Index(fields=["alert", "-id"], name="case_alert_id"),
            models.Index(fields=["category", "-id"], name="case_category_id"),
            models.Index(fields=["source", "-id"], name="case_source_id"),
            models.Index(fields=["resident_mobile", "created_at"], name="case_mobile_time"),
            models.Index(fields=["client_ip", "created_at"], name="case_ip_time"),
            models.Index(fields=["grid", "category", "created_at"], name="case_duplicate_probe"),
            models.Index(fields=["lat", "lng"], name="case_point"),
            # The bulletins' periods: cases due (by deadline) in a month or quarter.
            models.Index(fields=["deadline"], name="case_deadline"),
            models.Index(fields=["due_soon_at"], name="case_due_soon_at", condition=Q(alert__in=["", "due_soon"])
                         & Q(status__in=["dispatched", "handling", "extension"])),
            # The workbench tabs count open cases by grid, status, clock and supervision: an index-only scan of
            # the open few per cent (6.4 ms instead of 16.9 ms for 24,570 open of 200,000 cases in make bench).
            models.Index(fields=["grid", "status", "alert", "supervised"], name="case_open_queue",
                         condition=Q(status__in=list(OPEN))),
        ]

    def __str__(self) -> str:
        return self.reference

    # Labels for lists: an enum lookup, where get_FOO_display() rebuilds the choices dict each call (47 µs for an
    # FSMField; two per row were 5 ms of a 50-row page in make bench).
    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def source_label(self) -> str:
        return Source(self.source).label

    @property
    def is_petition(self) -> bool:
        return self.kind == Kind.PETITION

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED

    # -------------------------------------------------------------------------------------- the machine
    # Each method only moves the state and the fields that belong to the step; cases.services validates,
    # checks the actor (cases.workflow.STEPS), saves with a version check and records the event.

    @transition(field=status, source=Status.LOCAL, target=Status.SELF_HANDLED)
    def settle(self, *, at):
        self.closed_at = at

    @transition(field=status, source=Status.LOCAL, target=Status.REPORTED)
    def escalate(self, *, at):
        self.level = Level.CENTER

    @transition(field=status, source=Status.REPORTED, target=Status.FILED)
    def accept(self, *, at):
        pass

    @transition(field=status, source=[Status.REPORTED, Status.FILED], target=Status.CANCELLED)
    def cancel(self, *, at):
        self.closed_at = at

    @transition(field=status, source=[Status.FILED, Status.RETURNED, Status.SUSPENDED], target=Status.DISPATCHED)
    def dispatch(self, *, at, department, deadline, due_soon_at, provisional=False):
        self.department = department
        self.dispatched_at = at
        self.deadline = deadline
        self.deadline_provisional = provisional
        self.due_soon_at = due_soon_at
        self.alert = Alert.NONE
        self.extension_days = None

    @transition(field=status, source=Status.DISPATCHED, target=Status.HANDLING)
    def sign(self, *, at):
        pass

    @transition(field=status, source=[Status.DISPATCHED, Status.HANDLING], target=Status.RETURNED)
    def send_back(self, *, at):
        self.returns += 1

    @transition(field=status, source=Status.HANDLING, target=Status.EXTENSION)
    def request_extension(self, *, at, days):
        self.extension_days = days

    @transition(field=status, source=Status.EXTENSION, target=Status.HANDLING)
    def approve_extension(self, *, at, deadline, due_soon_at, provisional=False):
        self.deadline = deadline
        self.deadline_provisional = provisional
        self.due_soon_at = due_soon_at
        self.alert = Alert.NONE
        self.extension_days = None

    @transition(field=status, source=Status.EXTENSION, target=Status.HANDLING)
    def refuse_extension(self, *, at):
        self.extension_days = None

    @transition(field=status, source=Status.HANDLING, target=Status.SUSPENDED)
    def suspend(self, *, at):
        pass

    @transition(field=status, source=Status.HANDLING, target=Status.FED_BACK)
    def feed_back(self, *, at):
        self.fed_back_at = at

    @transition(field=status, source=Status.FED_BACK, target=Status.HANDLING)
    def rework(self, *, at):
        self.reworks += 1
        self.fed_back_at = None

    @transition(field=status, source=Status.FED_BACK, target=Status.CLOSED,
                conditions=[lambda case: not case.is_petition])
    def close(self, *, at):
        self.closed_at = at

    @transition(field=status, source=Status.FED_BACK, target=Status.AWAITING_EVALUATION,
                conditions=[lambda case: case.is_petition])
    def close_pending_evaluation(self, *, at):
        pass

    @transition(field=status, source=[Status.CLOSED, Status.AWAITING_EVALUATION], target=Status.CLOSED,
                conditions=[lambda case: not case.evaluation])
    def evaluate(self, *, at, evaluation, comment, channel, by=None):
        self.evaluation = evaluation
        self.evaluation_comment = comment
        self.evaluated_at = at
        self.evaluation_channel = channel
        self.evaluated_by = by
        if self.closed_at is None:
            self.closed_at = at

    @transition(field=status, source=Status.AWAITING_EVALUATION, target=Status.FILED)
    def reopen(self, *, at, evaluation, comment, channel, by=None):
        # A petitioner's 不满意 reopens the petition: back to the command center for a new dispatch. The
        # verdict is kept on the event; the case awaits a fresh one after the next round.
        self.department = None
        self.dispatched_at = None
        self.deadline = None
        self.deadline_provisional = False
        self.due_soon_at = None
        self.alert = Alert.NONE
        self.fed_back_at = None

    @transition(field=status, source=[Status.DISPATCHED, Status.HANDLING, Status.EXTENSION], target=None)
    def urge(self, *, at):
        pass  # the event and the department's notice are the reminder

    # None: the state stays as it is. A case is supervised once: the condition is the one place that says so.
    @transition(field=status, source=OPEN, target=None, conditions=[lambda case: not case.supervised])
    def supervise(self, *, at, on):
        self.supervised = on


class CaseEvent(AppendOnly):
    """One step of a case: immutable once written (saved once, never updated or deleted)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("操作"), max_length=32)
    from_status = models.CharField(max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="case_events")
    # Who acted as the resident sees it: a role or "居民", never a staff member's name.
    actor_role = models.CharField(max_length=32, blank=True)
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=1000, blank=True)
    department = models.ForeignKey("grids.Department", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    deadline = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("事件流转记录")
        verbose_name_plural = _("事件流转记录")
        ordering = ["case", "id"]
        indexes = [models.Index(fields=["case", "id"], name="case_event_case_id"),
                   # The bulletins: verdicts (and other steps) given in a period.
                   models.Index(fields=["action", "at"], name="case_event_action_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"

    @property
    def to_status_label(self) -> str:
        return Status(self.to_status).label


def case_photo_path(instance, filename: str) -> str:
    return f"cases/{instance.case.created_at:%Y/%m}/{filename}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="photos")
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="photos")
    # Indexed: the gated media view finds a file's owner by its path (wudu/media.py).
    image = models.ImageField(upload_to=case_photo_path, db_index=True)
    thumbnail = models.ImageField(upload_to=case_photo_path, db_index=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class CaseCounter(models.Model):
    """How many open cases lie under one place with one queue key: the workbench tabs' counts without the cases.

    Granularity: one row per (place code `prefix`, department, status, alert, supervised) for every level a
    scope is read at: the city, the district, the street, the community and the grid (a case counts once in
    each of its grid's five prefixes). A user's scope is a few place codes (their grants), so a tab count is a
    SUM over the rows of those few prefixes: a few dozen rows (the open statuses × departments × alerts seen
    there), whatever the number of cases below. Rows per grid only (rolling up in the query) would sum
    thousands of rows for a district, close to the open cases themselves.

    Written only by `cases.counters.shift`/`apply` in the transaction of the step that changes a case (an
    upsert adding the difference: parallel steps do not lose one another's updates); finished cases are not
    counted. `manage.py cases_recount` checks the table against the cases and repairs it.
    """

    prefix = models.CharField(max_length=24)
    # The department's id, 0 for none (a plain integer: the key must be unique with "no department" too, which
    # a NULL in a unique constraint is not).
    department_key = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=24, choices=Status.choices)
    alert = models.CharField(max_length=16, choices=Alert.choices, blank=True)
    supervised = models.BooleanField()
    # Signed: a negative count can only mean drift, which cases_recount reports.
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # Also the tab counts' index: they read the rows of a few prefixes (and a department).
            models.UniqueConstraint(fields=["prefix", "department_key", "status", "alert", "supervised"],
                                    name="case_counter_key"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.department_key} {self.status} {self.alert} {self.supervised}: {self.count}"


class ReferenceCounter(models.Model):
    """Per-day sequence of reference numbers (受理编号 YYYYMMDD + 5 digits)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class NotificationQuerySet(ScopedQuerySet):
    scope_resource = "notification"


class Notification(models.Model):
    """The in-app notification centre; SMS and WeChat go through cases.notify's channels."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32)
    message = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # One notice per (user, case, kind, key): a timer run twice notifies once.
    dedupe_key = models.CharField(max_length=80)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at", "-id"], name="notification_user_unread"),
                   # The notification centre's filters: one kind, one case (and marking those read).
                   models.Index(fields=["user", "kind", "read_at", "-id"], name="notification_user_kind"),
                   models.Index(fields=["user", "case", "read_at"], name="notification_user_case")]

    def __str__(self) -> str:
        return self.message
