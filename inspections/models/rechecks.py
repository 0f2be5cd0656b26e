"""Re-checks against false rectification (台账销号反向核查): each round, a random sample of the ticked-off tasks
(`Round.recheck_percent`) is checked on site by someone outside the owning unit. A failed re-check reopens the task
and counts against the owner's closure reliability (passed ÷ re-checked)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grids.models import User

from .rounds import Round
from .tasks import Rectification


class RecheckResult(models.TextChoices):
    PENDING = "pending", _("待核查")
    PASSED = "passed", _("核查属实")
    FAILED = "failed", _("虚假整改")


class Recheck(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="rechecks")
    task = models.ForeignKey(Rectification, on_delete=models.PROTECT, related_name="rechecks")
    drawn_at = models.DateTimeField(_("抽取时间"))
    result = models.CharField(_("核查结果"), max_length=10, choices=RecheckResult.choices,
                              default=RecheckResult.PENDING)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    note = models.CharField(_("核查情况"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("反向核查")
        verbose_name_plural = _("反向核查")
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "task"], name="recheck_once_per_round")]
        indexes = [models.Index(fields=["round", "result"], name="recheck_round_result")]

    def __str__(self) -> str:
        return f"{self.round_id} {self.task_id} {self.result}"
