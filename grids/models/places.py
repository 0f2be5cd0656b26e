"""Places (city → district → street → community → grid → building) and the people who serve them.

A place's unified code (统一编号) is its materialized path: the parent's code plus its own fixed-width
sequence, so "everything under X" is one indexed prefix query (`code__startswith=X.code`).
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wudu.rules import mobile_validator, phone_validator
from wudu.scope import GRID_ROLES, Role, ScopedQuerySet  # noqa: F401 (the roles are the gate's; re-exported)

# A day's patrol cannot be asked to last longer than the day's working hours (12 h).
PATROL_MINIMUM_MAX = 720


class Level(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")
    BUILDING = "building", _("楼院")


# Which level a place of each level must hang under, and the width of its own code segment.
PARENT_LEVEL = {
    Level.CITY: None,
    Level.DISTRICT: Level.CITY,
    Level.STREET: Level.DISTRICT,
    Level.COMMUNITY: Level.STREET,
    Level.GRID: Level.COMMUNITY,
    Level.BUILDING: Level.GRID,
}
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items() if parent}
SEGMENT_WIDTH = {
    Level.CITY: 4,  # GB/T 2260 province + city digits, e.g. 4110 for 许昌市
    Level.DISTRICT: 2,  # the county digits, e.g. 02 → 411002 魏都区
    Level.STREET: 3,
    Level.COMMUNITY: 3,
    Level.GRID: 3,
    Level.BUILDING: 3,
}
CODE_LENGTH = {}
_length = 0
for _level in Level:
    _length += SEGMENT_WIDTH[_level]
    CODE_LENGTH[_level] = _length


class PlaceQuerySet(ScopedQuerySet):
    scope_resource = "place"

    def under(self, place: "Place") -> "PlaceQuerySet":
        """The place and everything below it: one indexed prefix query."""
        return self.filter(code__startswith=place.code)

    def grids(self) -> "PlaceQuerySet":
        return self.filter(level=Level.GRID)


class Place(models.Model):
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("统一编号"), max_length=24, unique=True, editable=False)
    seq = models.PositiveIntegerField(_("序号"), editable=False)
    # Next sequence to hand to a child: only ever grows, so a code is never reused.
    next_child_seq = models.PositiveIntegerField(default=1, editable=False)
    boundary = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    area_m2 = models.FloatField(_("面积（平方米）"), null=True, blank=True, editable=False)
    centroid_lng = models.FloatField(null=True, blank=True, editable=False)
    centroid_lat = models.FloatField(null=True, blank=True, editable=False)
    # Bounding box of the boundary, so point → grid looks only at candidates (indexed).
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # A grid's own daily patrol minimum (巡查时长); empty: the district's (settings.MIN_DAILY_PATROL_MINUTES).
    patrol_minimum_minutes = models.PositiveSmallIntegerField(
        _("每日最低巡查时长（分钟）"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(PATROL_MINIMUM_MAX)],
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["next_child_seq", "updated_at"])
    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "seq"], name="place_unique_seq_per_parent"),
            models.UniqueConstraint(
                fields=["parent", "name"], name="place_unique_name_per_parent",
                violation_error_message=_("同一上级下已有同名地点。"),
            ),
            models.CheckConstraint(
                condition=Q(level="city", parent__isnull=True) | (~Q(level="city") & Q(parent__isnull=False)),
                name="place_only_city_is_root",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"], name="place_level_code"),
            models.Index(fields=["min_lng", "max_lng", "min_lat", "max_lat"], name="place_bbox"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def level_label(self) -> str:
        """The level's name by an enum lookup (get_level_display() rebuilds the choices on every call: lists)."""
        return Level(self.level).label

    @property
    def display_code(self) -> str:
        """The code as people quote it; a city shows its six-digit GB/T 2260 form."""
        return self.code + "00" if self.level == Level.CITY else self.code

    @property
    def area_label(self) -> str:
        """Square kilometres for large places, square metres for small ones."""
        if self.area_m2 is None:
            return ""
        if self.area_m2 >= 1_000_000:
            return gettext("%(km2).2f 平方公里") % {"km2": self.area_m2 / 1_000_000}
        return gettext("%(m2)d 平方米") % {"m2": round(self.area_m2)}

    def ancestor_codes(self) -> list[str]:
        """Codes of this place and all above it, derived from the code alone."""
        codes, length = [], 0
        for level in Level:
            length += SEGMENT_WIDTH[level]
            if length > len(self.code):
                break
            codes.append(self.code[:length])
        return codes

    def is_within(self, other: "Place") -> bool:
        return self.code.startswith(other.code)


class GridPrefix(models.Model):
    """Each grid with the code of each place it lies in, itself included (a database view, read-only).

    Figures are rolled up to every level in one pass of a table: join a grid's rows to this view and group by
    `prefix` (a visit then counts once for its grid, community, street and district). The view is derived from
    the codes alone, so it needs no upkeep (migration grids 0005).
    """

    pk = models.CompositePrimaryKey("grid", "prefix")
    grid = models.ForeignKey(Place, on_delete=models.DO_NOTHING, related_name="prefixes", db_constraint=False)
    prefix = models.CharField(max_length=32)
    level = models.CharField(max_length=16, choices=Level.choices)

    class Meta:
        managed = False
        db_table = "grids_gridprefix"

    def __str__(self) -> str:
        return self.prefix


class UserQuerySet(ScopedQuerySet):
    scope_resource = "person"


class WuduUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[mobile_validator])
    photo = models.ImageField(_("照片"), upload_to="people/%Y/", blank=True, db_index=True)
    # Set when an administrator chose the password (or none yet): the person must choose their own at the next
    # sign-in (wudu.passwords.PasswordChangeRequiredMiddleware). db_default: rows written by COPY (bench) get it too.
    must_change_password = models.BooleanField(_("须修改密码"), default=False, db_default=False)
    # When the password was last set: past PASSWORD_MAX_AGE_DAYS it must be changed. Empty: never set here.
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)

    objects = WuduUserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    def set_password(self, raw_password) -> None:
        # The age of a password counts from here, whoever set it (PASSWORD_MAX_AGE_DAYS).
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


# The level of place each role is held at.
ROLE_LEVEL = {
    Role.GRID_HEAD: Level.GRID,
    Role.INSTRUCTOR: Level.GRID,
    Role.GRID_WORKER: Level.GRID,
    Role.COMMUNITY_OFFICIAL: Level.COMMUNITY,
    Role.STREET_OFFICIAL: Level.STREET,
    Role.DISTRICT_OFFICIAL: Level.DISTRICT,
    Role.COMMAND_CENTER: Level.DISTRICT,
    Role.DEPARTMENT_STAFF: Level.DISTRICT,
    Role.SYSTEM_ADMIN: Level.DISTRICT,
    Role.SECURITY_ADMIN: Level.DISTRICT,
    Role.AUDIT_ADMIN: Level.DISTRICT,
    Role.INSPECTION_OFFICE: Level.DISTRICT,
    # Role.INSPECTOR is never a membership: a team member's grants come from the team's dated coverage.
}


class DepartmentQuerySet(ScopedQuerySet):
    scope_resource = "department"


class Department(models.Model):
    district = models.ForeignKey(Place, verbose_name=_("所属区"), on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("名称"), max_length=50)
    short_code = models.SlugField(_("简码"), max_length=30)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[phone_validator])
    duties = models.TextField(_("职责"), blank=True, max_length=1000, validators=[MaxLengthValidator(1000)])
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["district", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_unique_name"),
            models.UniqueConstraint(fields=["district", "short_code"], name="department_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    scope_resource = "membership"


class Membership(models.Model):
    """A person's role at a place (and, for department staff, a department)."""

    user = models.ForeignKey(User, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(Place, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="memberships")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships",
    )
    work_phone = models.CharField(_("工作电话"), max_length=20, blank=True, validators=[phone_validator])
    duties = models.CharField(_("职责"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["place__code", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place"], condition=Q(department__isnull=True),
                name="membership_unique_role_place",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "place", "department"], condition=Q(department__isnull=False),
                name="membership_unique_role_department",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DEPARTMENT_STAFF, department__isnull=False)
                | (~Q(role=Role.DEPARTMENT_STAFF) & Q(department__isnull=True)),
                name="membership_department_iff_department_staff",
            ),
        ]
        indexes = [models.Index(fields=["role", "place"], name="membership_role_place")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.place.name}"


class PartnerKind(models.TextChoices):
    RESIDENT_UNIT = "resident_unit", _("驻辖区单位")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    BUILDING_HEAD = "building_head", _("楼栋长")


class OutpostPartnerQuerySet(ScopedQuerySet):
    scope_resource = "partner"


class OutpostPartner(models.Model):
    """A member of the grid outpost (网格前哨)."""

    grid = models.ForeignKey(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="partners")
    kind = models.CharField(_("类别"), max_length=32, choices=PartnerKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[phone_validator])
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OutpostPartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格前哨")
        verbose_name_plural = _("网格前哨")
        ordering = ["grid__code", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["grid", "kind", "name"], name="partner_unique_name")]

    def __str__(self) -> str:
        return self.name
