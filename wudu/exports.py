"""Exports as tasks: long work never runs inside a request.

An app registers each kind of export from its AppConfig.ready() (the kernel imports no app):

    exports.register("ledger.pdf", render=ledger_pdf_job, fmt="pdf", replica=True)

`render(user, params, progress)` makes the file and returns `(bytes | binary file, filename, rows)`; `rows` is the
number of records in it (None where the file holds no countable rows). `progress(done, total)` may be called as
often as it likes: the job's row is written at most every PROGRESS_EVERY seconds.

A person asks with `export_request(actor=…, kind=…, params=…, label=…)`: a job row (queued) and, after commit, one
task through the outbox (`wudu.tasks.export_job_run_task`). The same request (owner, kind, params) while one is
queued or running returns that job (a unique partial index makes it hold under parallel requests too); at most
EXPORT_MAX_ACTIVE_PER_USER wait or run at once. The file goes to the private export storage (EXPORT_ROOT, never
served under MEDIA_URL) and is sent only to its owner (`/exports/<id>/download`, others get the gate's 404). It is
kept EXPORT_RETENTION_HOURS; beat's `export_purge_task` deletes expired files and jobs.

The access event (wudu.access_log.record_export) is recorded at each download, not at the request: that is when
personal data leaves the system, and by then the row count is known. Its filter is the job's parameters.

When a job is done the kernel sends `export_finished` (wudu.signals); `cases` turns it into a notification.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import outbox
from .db import reading_replica
from .models import ExportJob
from .signals import export_finished

log = logging.getLogger("wudu.exports")

PROGRESS_EVERY = 1.0  # seconds between two writes of a job's progress
# A job queued or running this long was lost (a worker killed whole): it no longer blocks a new request. The
# task's hard limit is 420 s; the broker hands a lost message out again after its visibility timeout.
STALE_AFTER = datetime.timedelta(minutes=20)

Progress = Callable[[int, int], None]
Render = Callable[[object, dict, Progress], tuple]
# (user, what was asked) -> (the job's parameters, its label): reads and checks a request for one kind as its page
# does (a form, the gate's access to the thing exported); raises ValidationError (400) or Http404 (hidden or missing).
Prepare = Callable[[object, dict], tuple[dict, str]]


@dataclass(frozen=True)
class Kind:
    name: str
    render: Render
    fmt: str  # "pdf", "xlsx": the recorded format and the content type
    replica: bool  # its reads may go to the replica (wudu.db)
    prepare: Prepare | None = None  # how a request by name (the API) becomes the job; None: asked from its page only


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

_KINDS: dict[str, Kind] = {}


def register(name: str, *, render: Render, fmt: str, replica: bool = False, prepare: Prepare | None = None) -> None:
    """Declare a kind of export (from an app's AppConfig.ready)."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown export format {fmt!r}")
    _KINDS[name] = Kind(name, render, fmt, replica, prepare)


def askable_kinds() -> list[str]:
    """The kinds a request may name (those that say how to read one), in name order."""
    return sorted(name for name, kind in _KINDS.items() if kind.prepare is not None)


def kind_of(name: str) -> Kind:
    return _KINDS[name]


def storage() -> FileSystemStorage:
    """The private folder of export files (no base URL: nothing serves it but the owner's download)."""
    return FileSystemStorage(location=settings.EXPORT_ROOT, base_url=None)


def params_key(kind: str, params: dict) -> str:
    return hashlib.sha256(json.dumps([kind, params], sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------- writes


def export_request(*, actor, kind: str, params: dict, label: str) -> ExportJob:
    """Ask for one export: the job (new, or the same one already waiting or running). The task is sent after
    commit. Raises ValidationError when the person has too many exports waiting."""
    if kind not in _KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    key = params_key(kind, params)
    now = timezone.now()
    with transaction.atomic():
        # One person's requests are taken one at a time: the limit holds under parallel requests.
        list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True))
        ExportJob.objects.filter(owner=actor, status__in=ExportJob.ACTIVE, created_at__lt=now - STALE_AFTER).update(
            status=ExportJob.Status.FAILED, error="timeout", finished_at=now)
        existing = ExportJob.objects.filter(owner=actor, params_key=key, status__in=ExportJob.ACTIVE).first()
        if existing:
            return existing
        active = ExportJob.objects.filter(owner=actor, status__in=ExportJob.ACTIVE).count()
        if active >= settings.EXPORT_MAX_ACTIVE_PER_USER:
            raise ValidationError(_("您已有 %(n)d 个导出正在生成，请等其完成后再导出。") % {"n": active},
                                  code="too_many_exports")
        try:
            with transaction.atomic():
                job = ExportJob.objects.create(
                    owner=actor, kind=kind, params=params, params_key=key, label=label[:200],
                    language=translation.get_language() or settings.LANGUAGE_CODE, created_at=now,
                    expires_at=now + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS))
        except IntegrityError:  # the same request committed a moment before (a double click on another worker)
            return ExportJob.objects.get(owner=actor, params_key=key, status__in=ExportJob.ACTIVE)
        outbox.enqueue("wudu.tasks.export_job_run_task", job.pk, key=f"export-job:{job.pk}")
    return job


def export_ask(*, actor, kind: str, data: dict) -> ExportJob:
    """Ask for an export by its kind and what the person asked (the API): the kind's `prepare` reads and checks it
    as the kind's page does, then export_request, the one way a job is made."""
    registered = _KINDS.get(kind)
    if registered is None or registered.prepare is None:
        raise ValidationError({"kind": _("没有这种导出。")}, code="unknown_kind")
    params, label = registered.prepare(actor, data)
    return export_request(actor=actor, kind=kind, params=params, label=label)


def export_run(job_id: int) -> ExportJob | None:
    """Render one job (the task). Idempotent: a job already done, failed or taken by another worker is left alone."""
    now = timezone.now()
    taken = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, started_at=now)
    if not taken:
        return None
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    kind = _KINDS.get(job.kind)
    try:
        if kind is None:
            raise LookupError(f"unknown export kind {job.kind!r}")
        with translation.override(job.language or settings.LANGUAGE_CODE), reading_replica(kind.replica):
            content, filename, rows = kind.render(job.owner, job.params, _progress(job_id))
        name = storage().save(f"{job.owner_id}/{uuid.uuid4().hex}.{kind.fmt}", _as_file(content))
    except Exception as error:
        log.exception("export %s (%s) failed", job_id, job.kind)
        ExportJob.objects.filter(pk=job_id).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                                                   error=f"{type(error).__name__}: {error}"[:300])
        return None  # the page says it failed; asking again makes a new job (no retry of a failing render)
    finished = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, file=name, filename=filename[:200], content_type=CONTENT_TYPES[kind.fmt],
        size=storage().size(name), rows=rows, finished_at=finished, done=job.total or 1, total=job.total or 1,
        expires_at=finished + datetime.timedelta(hours=settings.EXPORT_RETENTION_HOURS))
    job.refresh_from_db()
    export_finished.send(sender=ExportJob, job=job)
    return job


def _as_file(content) -> File:
    if isinstance(content, bytes | bytearray):
        return ContentFile(bytes(content))
    return File(content)


def _progress(job_id: int) -> Progress:
    """A progress callback that writes at most every PROGRESS_EVERY seconds (and the first call at once)."""
    last = [0.0]

    def progress(done: int, total: int) -> None:
        moment = time.monotonic()
        if moment - last[0] < PROGRESS_EVERY:
            return
        last[0] = moment
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(done=done, total=total)

    return progress


def export_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files and rows of expired jobs (beat, hourly); the number of jobs deleted."""
    now = now or timezone.now()
    expired = list(ExportJob.objects.filter(expires_at__lte=now).exclude(status__in=ExportJob.ACTIVE)
                   .values_list("pk", "file"))
    files = storage()
    for _pk, name in expired:
        if name:
            try:
                files.delete(name)
            except OSError:  # gone already, or a disk error: the row goes, the next purge does not see it again
                log.warning("export purge: could not delete %s", name)
    return ExportJob.objects.filter(pk__in=[pk for pk, _name in expired]).delete()[0]


# ---------------------------------------------------------------------------------------------- reads


def my_exports(user, *, limit: int = 50) -> list[ExportJob]:
    return list(ExportJob.objects.filter(owner=user).order_by("-id")[:limit])


def access_export(user, job_id: int) -> ExportJob:
    """One of the user's own exports; the same 404 for another's and a missing one."""
    job = ExportJob.objects.filter(pk=job_id, owner=user).first() if user.is_authenticated else None
    if job is None:
        raise Http404
    return job


def open_file(job: ExportJob) -> IO[bytes]:
    if job.status != ExportJob.Status.DONE or not job.file or job.expires_at <= timezone.now():
        raise Http404
    try:
        return storage().open(job.file, "rb")
    except FileNotFoundError:
        raise Http404 from None
