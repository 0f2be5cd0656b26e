"""A round of inspection (巡察轮次), its teams (巡察组) with their members, and what each team covers (巡察范围).

A round belongs to a district (`district__code` anchors it in the gate). Its teams are stationed at street party
committees and cover streets or single communities; a team member's grants (inspections/grants.py) reach the places
their team covers from `starts_on` to `follow_up_until` (the round plus its follow-up period), both inclusive.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from grids.models import Place, User
from wudu.scope import ScopedQuerySet


class RoundQuerySet(ScopedQuerySet):
    scope_resource = "inspection_round"


class Round(models.Model):
    district = models.ForeignKey(Place, verbose_name=_("所属区"), on_delete=models.PROTECT,
                                 related_name="inspection_rounds")
    name = models.CharField(_("名称"), max_length=100)
    starts_on = models.DateField(_("进驻日期"))
    ends_on = models.DateField(_("结束日期"))
    # The teams keep their grants after the round, to follow rectification up and verify it (跟踪督办).
    follow_up_until = models.DateField(_("跟踪督办截止"))
    # The day the findings were fed back to the units (巡察反馈): rectification is due within two months of it
    # (`rectification_months`) unless a finding or task sets otherwise.
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    rectification_months = models.PositiveSmallIntegerField(_("整改期限（月）"), default=2)
    # Of the tasks ticked off in this round, the share (percent) drawn for an on-site re-check (反向核查).
    recheck_percent = models.PositiveSmallIntegerField(_("抽查比例（%）"), default=10)

    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The public progress page (/xunchagongkai/<round>/) shows nothing until the inspection office publishes it
    # (services.rounds.round_progress_publish); withdrawing it clears both.
    progress_published_at = models.DateTimeField(_("整改进展公开时间"), null=True, blank=True, editable=False)
    progress_published_by = models.ForeignKey(User, verbose_name=_("公开人"), null=True, blank=True,
                                              on_delete=models.PROTECT, related_name="+", editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡察轮次")
        verbose_name_plural = _("巡察轮次")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="round_ends_after_start",
                                   violation_error_message=_("结束日期不能早于进驻日期。")),
            models.CheckConstraint(condition=Q(follow_up_until__gte=F("ends_on")), name="round_follow_up_after_end",
                                   violation_error_message=_("跟踪督办截止不能早于结束日期。")),
            models.CheckConstraint(condition=Q(recheck_percent__lte=100), name="round_recheck_percent",
                                   violation_error_message=_("抽查比例须在 0 到 100 之间。")),
            models.UniqueConstraint(fields=["district", "name"], name="round_name_unique",
                                    violation_error_message=_("本区已有同名的巡察轮次。")),
            models.CheckConstraint(
                condition=Q(progress_published_at__isnull=True) | Q(progress_published_by__isnull=False),
                name="round_progress_published_by", violation_error_message=_("公开整改进展须记录公开人。")),
        ]
        indexes = [models.Index(fields=["district", "starts_on"], name="round_district_starts")]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    round = models.ForeignKey(Round, verbose_name=_("巡察轮次"), on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        verbose_name = _("巡察组")
        verbose_name_plural = _("巡察组")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "name"], name="team_name_unique",
                                               violation_error_message=_("本轮已有同名的巡察组。"))]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("巡察组"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="inspection_teams")
    is_leader = models.BooleanField(_("组长"), default=False)

    class Meta:
        verbose_name = _("巡察组成员")
        verbose_name_plural = _("巡察组成员")
        ordering = ["team", "-is_leader", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_unique",
                                    violation_error_message=_("此人已是该组成员。")),
            models.UniqueConstraint(fields=["team"], condition=Q(is_leader=True), name="team_one_leader",
                                    violation_error_message=_("每个巡察组只有一名组长。")),
        ]
        indexes = [models.Index(fields=["user", "team"], name="team_member_user")]

    def __str__(self) -> str:
        return f"{self.team} {self.user}"


class Coverage(models.Model):
    """A place a team covers: a street (its committee and every community under it) or a single community."""

    team = models.ForeignKey(Team, verbose_name=_("巡察组"), on_delete=models.CASCADE, related_name="coverage")
    place = models.ForeignKey(Place, verbose_name=_("巡察对象"), on_delete=models.PROTECT,
                              related_name="inspection_coverage")

    class Meta:
        verbose_name = _("巡察范围")
        verbose_name_plural = _("巡察范围")
        ordering = ["team", "place__code"]
        constraints = [models.UniqueConstraint(fields=["team", "place"], name="coverage_unique",
                                               violation_error_message=_("该组已覆盖此地。"))]
        indexes = [models.Index(fields=["place", "team"], name="coverage_place")]

    def __str__(self) -> str:
        return f"{self.team} → {self.place}"
