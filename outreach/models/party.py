"""The party organisations of the grids and communities, and the party members registered with them (就近参与组织活动).

A community's own organisation (社区党委 / 党总支 / 党支部) and the branches or groups of its grids (网格党支部 / 党小组):
one organisation per place. A member registers in one place only (the unique mobile): a community's figures count
each member once, whether they joined the community's organisation or a grid's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Level, Place, User
from wudu.rules import mobile_validator
from wudu.scope import ScopedQuerySet


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


# Where each kind stands: a community's party committee or general branch over its grids' branches and groups; a
# small community has a branch of its own instead.
LEVELS_FOR: dict[str, tuple[str, ...]] = {
    OrganizationKind.COMMITTEE: (Level.COMMUNITY,),
    OrganizationKind.GENERAL_BRANCH: (Level.COMMUNITY,),
    OrganizationKind.BRANCH: (Level.COMMUNITY, Level.GRID),
    OrganizationKind.GROUP: (Level.GRID,),
}
PARTY_LEVELS = (Level.COMMUNITY, Level.GRID)
REGISTERED_ONCE = _("该手机号的党员已在一个党组织报到：党员只在居住地一处报到。")


class PartyOrganizationQuerySet(ScopedQuerySet):
    scope_resource = "party_org"


class PartyOrganization(models.Model):
    place = models.OneToOneField(Place, verbose_name=_("所在社区或网格"), on_delete=models.PROTECT,
                                 related_name="party_organization")
    kind = models.CharField(_("类别"), max_length=16, choices=OrganizationKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    secretary = models.CharField(_("书记 / 组长"), max_length=50, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["place__code"]

    def __str__(self) -> str:
        return self.name


class PartyMemberQuerySet(ScopedQuerySet):
    scope_resource = "party_member"


class PartyMember(models.Model):
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("名称"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[mobile_validator])
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="party_registrations")
    registered_on = models.DateField(_("报到日期"))
    # 双报到: an in-service member (在职党员) registers where they live and stays a member of their workplace's
    # party organisation, which receives a quarterly return of their participation here. Free text: workplaces
    # are outside the district's tree; the return groups members by this name as written (spaces normalised).
    workplace = models.CharField(_("工作单位党组织"), max_length=100, blank=True,
                                 help_text=_("在职党员所在单位党组织名称，如：区教育局机关党支部；非在职党员不填。"))
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organization__place__code", "name", "id"]
        constraints = [
            # One registration a member (双报到: where they live): counted once at every level above.
            models.UniqueConstraint(fields=["mobile"], name="party_member_registered_once",
                                    violation_error_message=REGISTERED_ONCE),
        ]
        indexes = [models.Index(fields=["workplace"], condition=~models.Q(workplace=""), name="party_member_workplace")]

    def __str__(self) -> str:
        return self.name
