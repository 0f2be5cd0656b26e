"""`manage.py outbox_relay`: publish the outbox's unsent tasks, in a loop beside the worker (independent of beat).

It never stops on a broker or database outage: it logs, waits and tries again; SIGTERM or Ctrl-C ends it after the
pass in progress. `--once` sends what is due now and exits (0 when nothing is left unsent, 1 otherwise)."""

from __future__ import annotations

import datetime
import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from wudu import outbox

log = logging.getLogger("wudu.outbox")

PRUNE_EVERY = 3600.0  # seconds between two clean-ups of sent rows


class Command(BaseCommand):
    help = "Publish the outbox's unsent tasks to the broker (a loop; --once for one pass)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass over what is due, then exit")
        parser.add_argument("--interval", type=float, default=None,
                            help="seconds to wait when nothing was sent (default OUTBOX_RELAY_INTERVAL_SECONDS)")

    def handle(self, *args, once: bool = False, interval: float | None = None, **options):
        if once:
            result = self._drain()
            self.stdout.write(f"outbox: {result['sent']} sent, {result['left']} left unsent")
            if result["left"]:
                raise SystemExit(1)
            return
        self._stopping = False
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        interval = settings.OUTBOX_RELAY_INTERVAL_SECONDS if interval is None else interval
        log.info("outbox relay started (every %.1f s when idle)", interval)
        pruned_at = 0.0
        while not self._stopping:
            close_old_connections()  # a database restart costs one pass, not the loop
            try:
                result = outbox.relay()
                if time.monotonic() - pruned_at > PRUNE_EVERY:
                    outbox.prune(before=timezone.now() - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS))
                    pruned_at = time.monotonic()
            except Exception:  # the database is away: say so and try again
                log.exception("outbox relay pass failed")
                result = {"sent": 0, "failed": 1}
            if result["sent"]:
                log.info("outbox relay: %d sent", result["sent"])
            if not result["sent"] or result["failed"]:
                self._sleep(interval)
        log.info("outbox relay stopped")

    def _drain(self) -> dict[str, int]:
        """Passes over every unsent row, due or backing off, until a pass sends nothing (a batch is 100 rows)."""
        total = 0
        while True:
            result = outbox.relay(now=timezone.now() + datetime.timedelta(days=1))
            total += result["sent"]
            if not result["sent"] or result["failed"]:
                return {**result, "sent": total}

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))

    def _stop(self, *_args) -> None:
        self._stopping = True
