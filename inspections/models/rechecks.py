"""Re-checks against false rectification (台账销号反向核查): each round, a random sample of the ticked-off tasks
(`Round.recheck_percent`) is checked on site by someone outside the owning unit. A failed re-check reopens the task
and counts against the owner's closure reliability (passed ÷ re-checked)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import User

from .gates import ThroughRound, ThroughRoundAndTask
from .rounds import Round
from .tasks import Rectification


class RecheckResult(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("虚假整改")


class RecheckDraw(models.Model):
    """One random draw of a round's ticked-off tasks for re-checking (抽查). The seed and the candidates (the ids of
    the ticked-off tasks not drawn before, in id order) are kept, so anyone can redo the draw and get the same
    sample: `random.Random(seed).sample(candidates, size)`. Draws of a round are numbered 1, 2, …; the number is
    unique, so a retried or doubled click on "draw" makes one draw."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="recheck_draws")
    number = models.PositiveIntegerField(_("批次"))
    seed = models.CharField(_("随机种子"), max_length=40)
    percent = models.PositiveSmallIntegerField(_("抽查比例（%）"))
    candidates = models.JSONField(default=list)
    size = models.PositiveIntegerField(_("抽取数"))
    drawn_at = models.DateTimeField(_("抽取时间"))
    drawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ThroughRound.as_manager()

    class Meta:
        verbose_name = _("抽查批次")
        verbose_name_plural = _("抽查批次")
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="recheck_draw_once")]

    def __str__(self) -> str:
        return f"{self.round_id} #{self.number}"


class Recheck(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="rechecks")
    # The draw that picked the task (null: a re-check made before draws were recorded).
    draw = models.ForeignKey(RecheckDraw, null=True, blank=True, on_delete=models.PROTECT, related_name="rechecks")
    task = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="rechecks")
    drawn_at = models.DateTimeField(_("抽取时间"))
    result = models.CharField(_("核查结果"), max_length=10, choices=RecheckResult.choices,
                              default=RecheckResult.PENDING)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    note = models.CharField(_("核查情况"), max_length=1000, blank=True)

    objects = ThroughRoundAndTask.as_manager()

    class Meta:
        verbose_name = _("反向核查")
        verbose_name_plural = _("反向核查")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "task"], name="recheck_once_per_round")]
        indexes = [models.Index(fields=["round", "result"], name="recheck_round_result")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.task_id} {self.result}"
