"""Measures: what the bulletins and rankings count, each defined once (docs/measures.md).

A measure is a base set of rows of one model, a numerator condition and a denominator condition, all as `Q`
objects of a period. The figures are `Count(filter=base & numerator)` over `Count(filter=base & denominator)`
computed in the database, grouped by place (through `place_field`, a path to a place code) or by department; the
drill-down of a figure is `model.objects.filter(base & numerator)` under the same place: the same conditions,
never a second definition.

The apps that own the rows define their measures in `<app>/measures.py` (`register(Measure(...))`); this registry
finds those modules by name (wudu.plugins), so an app adds measures without editing the bulletins, and the
bulletins import no measure by name. No measure counts app usage (logins, time online, clicks, check-ins): the
national rules of 2023 and 2026 forbid ranking on them.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wudu.plugins import app_modules


@dataclass(frozen=True)
class Period:
    """A closed stretch of local days, [start, end): a month (月通报) or a quarter (季排名)."""

    kind: str  # "month" | "quarter"
    start: datetime.date
    end: datetime.date  # exclusive

    MONTH = "month"
    QUARTER = "quarter"

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(cls.MONTH, datetime.date(year, month, 1), datetime.date(year, month, last) + datetime.timedelta(1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        end = datetime.date(year + 1, 1, 1) if quarter == 4 else datetime.date(year, first + 3, 1)
        return cls(cls.QUARTER, datetime.date(year, first, 1), end)

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-10' (a month) or '2026-Q3' (a quarter); ValueError with a message a person reads otherwise."""
        text = (text or "").strip().upper()
        if match := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12 and 2000 <= year <= 2100:
                return cls.month(year, month)
        if match := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
            year = int(match[1])
            if 2000 <= year <= 2100:
                return cls.quarter(year, int(match[2]))
        raise ValueError(_("期间格式应为 2026-10（月）或 2026-Q3（季度）。"))

    @classmethod
    def last_closed(cls, kind: str, today: datetime.date | None = None) -> Period:
        """The latest month or quarter that has ended by `today` (local)."""
        today = today or timezone.localdate()
        if kind == cls.MONTH:
            first = today.replace(day=1) - datetime.timedelta(days=1)
            return cls.month(first.year, first.month)
        quarter = (today.month - 1) // 3  # the quarter before this one (0 = last year's fourth)
        return cls.quarter(today.year - 1, 4) if quarter == 0 else cls.quarter(today.year, quarter)

    @property
    def key(self) -> str:
        if self.kind == self.MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        if self.kind == self.MONTH:
            return _("%(y)d年%(m)d月") % {"y": self.start.year, "m": self.start.month}
        return _("%(y)d年第%(q)d季度") % {"y": self.start.year, "q": (self.start.month - 1) // 3 + 1}

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time()))

    @property
    def end_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.end, datetime.time()))

    def previous(self) -> Period:
        day = self.start - datetime.timedelta(days=1)
        if self.kind == self.MONTH:
            return Period.month(day.year, day.month)
        return Period.quarter(day.year, (day.month - 1) // 3 + 1)

    def months(self) -> list[Period]:
        out, day = [], self.start
        while day < self.end:
            out.append(Period.month(day.year, day.month))
            day = out[-1].end
        return out

    def is_closed(self, now: datetime.datetime | None = None) -> bool:
        return self.end_at <= (now or timezone.now())

    @property
    def days(self) -> int:
        return (self.end - self.start).days


Condition = Callable[[Period], Q]


def _everything(period: Period) -> Q:
    return Q()


@dataclass(frozen=True)
class Measure:
    code: str  # stable, e.g. "case.on_time_closing"; snapshots and weight schemes name measures by it
    label: str
    section: str  # the table it is printed in (cases, hotline, patrol, spot checks …)
    model: type[Model]
    place_field: str  # path from a row to the code of the grid (or place) it belongs to
    base: Condition  # the rows the measure looks at in the period
    numerator: Condition
    denominator: Condition = _everything
    department_field: str | None = None  # path to the department, where a department is answerable for the row
    higher_is_better: bool = True
    definition: str = ""  # what is counted, shown on the page and written in docs/measures.md
    order: int = 0
    # The measure whose denominator is a unit's volume for the minimum-volume rule: True on one measure per section.
    volume: bool = False
    # Shown only to readers above the grid (covert spot checks are never shown to the inspected grid).
    above_grid_only: bool = False
    extra: dict = field(default_factory=dict)


_REGISTRY: dict[str, Measure] = {}
_DISCOVERED = False


def register(*measures: Measure) -> None:
    for measure in measures:
        if measure.code in _REGISTRY and _REGISTRY[measure.code] is not measure:
            raise ValueError(f"measure {measure.code} registered twice")
        _REGISTRY[measure.code] = measure


def _discover() -> None:
    global _DISCOVERED
    if not _DISCOVERED:
        app_modules("measures")  # importing an app's measures.py registers its measures
        _DISCOVERED = True


def all_measures() -> list[Measure]:
    _discover()
    return sorted(_REGISTRY.values(), key=lambda m: (m.order, m.code))


def get(code: str) -> Measure:
    _discover()
    try:
        return _REGISTRY[code]
    except KeyError:
        raise LookupError(_("没有这个指标：%(code)s") % {"code": code}) from None
