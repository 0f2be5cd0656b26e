"""The demo district's bulletins and ranking, built from its history through the same services (`manage.py
load_demo_bulletins`, after `load_demo_history`): the last three closed months for the district and its streets
(the two older ones published after their objection window, one objection rejected and one accepted on the way;
the last one a draft open for objections now) and the last closed quarter's ranking, published. Idempotent."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from grids.models import Level, Place, User
from wudu import demo_progress
from wudu.measures import Period

from . import services
from .models import Bulletin, Kind

DISTRICT_NAME = "魏都区"
EIGHT_HOURS = datetime.timedelta(hours=8)


def _first_day_build(period: Period) -> datetime.datetime:
    return period.end_at + EIGHT_HOURS  # beat's entry: the 1st at 08:00


def load_demo_bulletins(*, now: datetime.datetime | None = None, stdout=None) -> dict:
    now = now or timezone.now()
    district = Place.objects.filter(level=Level.DISTRICT, name=DISTRICT_NAME).first()
    if district is None or Bulletin.objects.filter(place=district).exists():
        return {"bulletins": 0}
    center = User.objects.get(username="zhzx")
    street_official = User.objects.get(username="xinxing")
    street = Place.objects.get(level=Level.STREET, name="新兴街道", parent=district)
    places = [district, *Place.objects.filter(parent=district, level=Level.STREET).order_by("code")]
    last = Period.last_closed(Period.MONTH, timezone.localdate(now))
    months = [last.previous().previous(), last.previous(), last]
    built = 0
    for n, month in enumerate(months):
        at = now if month == last else _first_day_build(month)
        drafts = [services.bulletin_build(place=place, period=month, kind=Kind.BULLETIN, actor=center, now=at)
                  for place in places]
        built += len(drafts)
        if month == last:
            continue
        bulletin = drafts[0]
        objection = services.objection_file(
            actor=street_official, bulletin=bulletin, place=street, key=uuid.uuid4(),
            measure="case.closing_on_time",
            reason="本街道有两件事件因群众不在家无法入户核查，结案晚于时限，请求不计入按期结案率。",
            evidence="入户记录两份，见走访台账。", now=at + datetime.timedelta(days=1))
        services.objection_decide(
            actor=center, objection=objection, accept=n == 1, now=at + datetime.timedelta(days=2),
            decision=("经核实，已在通报说明中注明入户困难情况。" if n == 1
                      else "入户困难不属于可核减情形，按期结案率按规定计算。"))
        for draft in drafts:
            services.bulletin_publish(actor=center, bulletin=draft, now=draft.objection_until + EIGHT_HOURS)
        if stdout is not None:
            stdout.write(f"  {month.label}：{len(drafts)} 份通报已发布")
        demo_progress.report("bulletins", n + 1, len(months) + 1)
    quarter = Period.last_closed(Period.QUARTER, timezone.localdate(now))
    ranking = services.bulletin_build(place=district, period=quarter, kind=Kind.RANKING, actor=center,
                                      now=_first_day_build(quarter))
    services.bulletin_publish(actor=center, bulletin=ranking, now=ranking.objection_until + EIGHT_HOURS)
    return {"bulletins": built + 1}
