"""Volunteer organisations (志愿服务组织) and real-name volunteers (实名志愿者) with their memberships.

A volunteer organisation is registered at a place (the district, a street or a community) and is read and managed
within that place's subtree; a volunteer is registered where they live (a community or a grid) and may serve with
several organisations. Hours are recorded by the organisation that organised the service (谁组织谁记录).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from wudu.rules import mobile_validator
from wudu.scope import ScopedQuerySet


class VolunteerOrganizationQuerySet(ScopedQuerySet):
    scope_resource = "volunteer_org"


class VolunteerOrganization(models.Model):
    place = models.ForeignKey(Place, verbose_name=_("登记地点"), on_delete=models.PROTECT,
                              related_name="volunteer_organizations")
    name = models.CharField(_("名称"), max_length=100)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=1000)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务组织")
        verbose_name_plural = _("志愿服务组织")
        ordering = ["place__code", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="volunteer_org_unique_name",
                                    violation_error_message=_("该地点已有同名志愿服务组织。")),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerQuerySet(ScopedQuerySet):
    scope_resource = "volunteer"


class Volunteer(models.Model):
    """A real-name volunteer. The mobile is personal data: masked wherever it is shown to those who need not call."""

    home = models.ForeignKey(Place, verbose_name=_("报到地点"), on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[mobile_validator])
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer_profiles")
    registered_on = models.DateField(_("注册日期"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["home__code", "name", "id"]
        constraints = [
            # One real name per mobile: the same person is not registered twice (a second registration finds
            # the first).
            models.UniqueConstraint(fields=["mobile"], name="volunteer_unique_mobile",
                                    violation_error_message=_("该手机号码已注册为志愿者。")),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerMembership(models.Model):
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="memberships")
    organization = models.ForeignKey(VolunteerOrganization, verbose_name=_("志愿服务组织"), on_delete=models.PROTECT,
                                     related_name="memberships")
    role = models.CharField(_("职务"), max_length=20, blank=True, help_text=_("如：队长、骨干；普通队员可不填。"))
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿组织成员")
        verbose_name_plural = _("志愿组织成员")
        ordering = ["organization", "volunteer"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "organization"], name="volunteer_membership_unique"),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                                   name="volunteer_membership_left_after_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.organization}"
