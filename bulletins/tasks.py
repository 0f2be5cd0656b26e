"""Celery tasks of bulletins and rankings: thin and idempotent, each calling bulletins.services."""

from celery import shared_task

from grids.models import Place
from wudu.measures import Period

from . import services

# A district's whole monthly build took ~3 s and its ranking ~9 s at bench scale 1 (bench/results): 420 s leaves a
# wide margin and stays below the broker's visibility timeout (600 s), after which a lost task comes back.
OPTIONS = {"time_limit": 420, "soft_time_limit": 360, "autoretry_for": (OSError,), "max_retries": 3,
           "retry_backoff": True}


@shared_task(**OPTIONS)
def bulletins_build_task() -> list[int]:
    """The 1st at 08:00 Asia/Shanghai (beat): last month's bulletins, and on a quarter's first day last quarter's
    rankings, as drafts open for objections."""
    return services.bulletins_build_due()


@shared_task(**OPTIONS)
def bulletin_build_task(place_id: int, period: str, kind: str) -> int:
    """One bulletin (re)built on request (the page's button): the draft's id."""
    place = Place.objects.get(pk=place_id)
    return services.bulletin_build(place=place, period=Period.parse(period), kind=kind).pk


@shared_task(**OPTIONS)
def restatements_check_task() -> int:
    """Nightly (beat): notes on published bulletins whose figures late data has changed."""
    return services.restatements_check()
