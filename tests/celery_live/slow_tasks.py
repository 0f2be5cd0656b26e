"""A task for the lost-task test only (the test's own worker loads it with `--include`): it marks its start, takes
its time, then does its effect once per message (wudu.outbox.once, keyed by the task id = the outbox key)."""

import os
import time

from celery import shared_task

from wudu import outbox


def _mark(path: str, line: str) -> None:
    with open(path, "a") as marks:
        marks.write(line + "\n")


@shared_task(name="tests.celery_live.slow_effect_task", bind=True, time_limit=30, soft_time_limit=25)
def slow_effect_task(self, path: str, seconds: float) -> None:
    _mark(path, f"start {os.getpid()}")
    time.sleep(seconds)
    with outbox.once(f"slow-effect:{self.request.id}") as first:
        if first:
            _mark(path, "effect")
