"""What the case loop adds to /healthz: a warning while the official holiday calendar is about to run out (or
has), until the next year's arrangement is entered."""

from wudu import health

from . import calendar


@health.register("calendar")
def calendar_check() -> dict:
    status = calendar.calendar_status()
    return {
        "status": "warning" if status.warn else "ok",
        "official_until": status.official_until.isoformat() if status.official_until else None,
        "days_left": status.days_left,
        "warn_days": calendar.WARN_DAYS,
    }
