"""The grid's party organisation and the party members registered with it (就近参与组织活动)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from wudu.rules import mobile_validator
from wudu.scope import ScopedQuerySet


class OrganizationKind(models.TextChoices):
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class PartyOrganizationQuerySet(ScopedQuerySet):
    scope_resource = "party_org"


class PartyOrganization(models.Model):
    grid = models.OneToOneField(Place, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="party_organization")
    kind = models.CharField(_("类别"), max_length=16, choices=OrganizationKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    secretary = models.CharField(_("书记 / 组长"), max_length=50, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("网格党组织")
        verbose_name_plural = _("网格党组织")
        ordering = ["grid__code"]

    def __str__(self) -> str:
        return self.name


class PartyMemberQuerySet(ScopedQuerySet):
    scope_resource = "party_member"


class PartyMember(models.Model):
    organization = models.ForeignKey(
        PartyOrganization, verbose_name=_("网格党组织"), on_delete=models.PROTECT, related_name="members"
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
        ordering = ["organization__grid__code", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "mobile"], name="party_member_unique_mobile"),
        ]
        indexes = [models.Index(fields=["workplace"], condition=~models.Q(workplace=""), name="party_member_workplace")]

    def __str__(self) -> str:
        return self.name
