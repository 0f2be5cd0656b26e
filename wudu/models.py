import re
import secrets
from base64 import b32encode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from .scope import ScopedQuerySet


class AppendOnly(models.Model):
    """A record written once and never changed or removed through the model: a step of a workflow (a case's
    events, a task's steps). An audit trail that can be edited is not one.

    Only the instance paths are refused here; the bulk paths (`QuerySet.update`/`delete`) skip `save()` and
    `delete()`, and where a table must refuse them too a database trigger does (cases' migration 0002)."""

    update_refused = _("流转记录不可修改。")
    delete_refused = _("流转记录不可删除。")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(self.update_refused)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.delete_refused)


class Heartbeat(models.Model):
    """Last time Celery beat's heartbeat task ran on a worker (read by /healthz)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} · {self.beat_at}"


class IdempotencyKey(models.Model):
    """A client-generated key of a create submission, so that a retry returns the record already made."""

    key = models.UUIDField(unique=True)
    actor = models.ForeignKey("grids.User", null=True, on_delete=models.CASCADE, related_name="+")
    model = models.CharField(max_length=100)
    object_id = models.BigIntegerField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.key)


class QuotaCounter(models.Model):
    """How much of a limit one subject (a mobile number, a network address) has used in one window (wudu.quota).

    The subject is kept as a digest: the table that counts residents' requests holds no copy of their numbers."""

    name = models.CharField(max_length=50)
    subject = models.CharField(max_length=64)
    window = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "subject", "window"], name="quota_counter_once")]
        indexes = [models.Index(fields=["window"], name="quota_counter_window")]

    def __str__(self) -> str:
        return f"{self.name} {self.window:%Y-%m-%d %H:%M} {self.used}"


class PasswordHistory(models.Model):
    """The hashes of a person's last passwords (PASSWORD_HISTORY_COUNT): a new one may not repeat them
    (wudu.passwords.HistoryValidator). Hashes only, as the password field itself holds."""

    user = models.ForeignKey("grids.User", on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-id"], name="password_history_user")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.created_at:%Y-%m-%d}"
class OutboxMessage(models.Model):
    """A task to run, written in the transaction of the change that asks for it (wudu.outbox): published after
    commit, and again by the relay until the broker took it. The key is the Celery task id the consumer sees."""

    key = models.CharField(max_length=200, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        # The relay's question: what is unsent and due, oldest first. Only unsent rows are in it.
        indexes = [models.Index(fields=["next_attempt_at", "id"], name="outbox_unsent_due",
                                condition=models.Q(sent_at__isnull=True)),
                   # /healthz's question: how many are unsent, and since when (one index-only read).
                   models.Index(fields=["created_at"], name="outbox_unsent_age",
                                condition=models.Q(sent_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.task} {self.key} {'sent' if self.sent_at else 'unsent'}"


class OutboxEffect(models.Model):
    """An effect a consumer did once (an SMS for one case step …): a redelivered task finds its key and skips it."""

    key = models.CharField(max_length=200, unique=True)
    done_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


RECOVERY_DIGEST_SALT = "wudu.recovery-code"


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A person's one-time recovery codes, as a django-otp device (found by `devices_for_user`, throttled like the
    other factors). Only a keyed digest of each code is stored (`RecoveryCode.digest`): the codes themselves are
    shown once, when made (wudu.twofactor.services), and a copy of the database alone gives none of them."""

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        used, _rows = self.codes.filter(digest__in=RecoveryCode.digests_of(str(token))).delete()
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(used)


class RecoveryCode(models.Model):
    """One unused recovery code: its HMAC-SHA256 under the SECRET_KEY (never the code). Deleted when used."""

    device = models.ForeignKey(RecoveryCodes, related_name="codes", on_delete=models.CASCADE)
    digest = models.CharField(max_length=64, db_index=True)

    LENGTH = 12  # base32 characters: 60 bits, shown as xxxx-xxxx-xxxx

    def __str__(self) -> str:
        return f"{self.device_id} · {self.digest[:8]}…"

    @classmethod
    def new_code(cls) -> str:
        raw = b32encode(secrets.token_bytes(8)).decode().lower()[: cls.LENGTH]
        return "-".join(raw[i:i + 4] for i in range(0, cls.LENGTH, 4))

    @staticmethod
    def normalised(code: str) -> str:
        return re.sub(r"[\s-]", "", code or "").lower()

    @classmethod
    def digest_of(cls, code: str, secret: str | bytes | None = None) -> str:
        return salted_hmac(RECOVERY_DIGEST_SALT, cls.normalised(code), secret=secret, algorithm="sha256").hexdigest()

    @classmethod
    def digests_of(cls, code: str) -> list[str]:
        """The code's digest under the SECRET_KEY and each of SECRET_KEY_FALLBACKS (codes outlive a key rotation)."""
        keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return [cls.digest_of(code, secret=key) for key in keys]
class ExportJobQuerySet(ScopedQuerySet):
    scope_resource = "export_job"


class ExportJob(models.Model):
    """One export asked for by one person (wudu.exports): rendered by a task, kept for EXPORT_RETENTION_HOURS in the
    private export storage (never under MEDIA_URL), downloaded by its owner only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    # sha256 of kind and params (sorted JSON): the same request while one is active returns that one.
    params_key = models.CharField(max_length=64)
    label = models.CharField(_("导出内容"), max_length=200)
    language = models.CharField(max_length=16, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True, blank=True)
    file = models.CharField(max_length=255, blank=True)  # the name in the export storage
    filename = models.CharField(max_length=200, blank=True)  # what the browser saves it as
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("提交时间"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("保留至"))

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        constraints = [
            # A retried or parallel request never makes a second active job of the same export.
            models.UniqueConstraint(fields=["owner", "params_key"], name="export_job_active_once",
                                    condition=models.Q(status__in=["queued", "running"])),
        ]
        indexes = [
            models.Index(fields=["owner", "-id"], name="export_job_owner"),
            models.Index(fields=["expires_at"], name="export_job_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, self.done * 100 // self.total) if self.total else 0

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE
