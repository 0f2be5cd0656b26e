"""The open cases' counter table (`CaseCounter`): which rows a case counts in, the upsert that moves it between
them, which rows answer a user's scope, and the recount that checks (and repairs) the table against the cases.

A case counts in one row per prefix of its grid's code (city, district, street, community, grid) keyed by its
department, status, alert and supervision; finished cases count nowhere. Every write that changes one of those
fields calls `shift` and `apply` in its own transaction: the step service, case creation, the timers (alerts) and
the recount of provisional deadlines. Nothing else may change them (a test compares the table with a recount
after random steps)."""

from __future__ import annotations

from collections import Counter
from functools import reduce
from operator import or_

from django.db import connections, router, transaction
from django.db.models import Count, Q

from grids.models import CODE_LENGTH, Place
from grids.models import Level as PlaceLevel
from wudu import scope

from .models import FINISHED, OPEN, Case, CaseCounter

# The levels a scope is read at (a grant sits at one of them); a grid's code has all five prefixes.
PREFIX_LENGTHS = tuple(CODE_LENGTH[level] for level in (PlaceLevel.CITY, PlaceLevel.DISTRICT, PlaceLevel.STREET,
                                                        PlaceLevel.COMMUNITY, PlaceLevel.GRID))
KEY_FIELDS = ("prefix", "department_key", "status", "alert", "supervised")
# What a queue's Q may test to be answered from the table: the key's own fields.
COUNTED_FIELDS = {"status", "alert", "supervised"}

Key = tuple[int, str, str, bool]  # department (0: none), status, alert, supervised
Row = tuple[str, int, str, str, bool]  # prefix + Key


def key_of(case: Case) -> Key | None:
    """The queue key a case counts under, or None when it is finished (not counted)."""
    if case.status in FINISHED:
        return None
    return (case.department_id or 0, case.status, case.alert, bool(case.supervised))


def prefixes(grid_code: str) -> list[str]:
    return [grid_code[:length] for length in PREFIX_LENGTHS if length <= len(grid_code)]


def shift(deltas: Counter, grid_code: str, before: Key | None, after: Key | None, n: int = 1) -> Counter:
    """Add to `deltas` the move of `n` cases of this grid from key `before` to key `after` (None: not counted)."""
    if before == after:
        return deltas
    for prefix in prefixes(grid_code):
        if before is not None:
            deltas[(prefix, *before)] -= n
        if after is not None:
            deltas[(prefix, *after)] += n
    return deltas


def apply(deltas: Counter) -> None:
    """Add the deltas to their rows, creating missing ones: one upsert (`count = count + excluded.count`) per 500
    rows, so two parallel steps add up instead of overwriting each other. Rows are written in key order, so that
    steps touching the same rows lock them in the same order (no deadlock between two single steps)."""
    items = sorted((row, n) for row, n in deltas.items() if n)
    if not items:
        return
    using = router.db_for_write(CaseCounter)
    connection = connections[using]
    quote = connection.ops.quote_name
    table, count = quote(CaseCounter._meta.db_table), quote("count")
    columns = ", ".join(quote(name) for name in (*KEY_FIELDS, "count"))
    key = ", ".join(quote(name) for name in KEY_FIELDS)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for start in range(0, len(items), 500):
            batch = items[start:start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({key}) "
                f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
                [value for row, n in batch for value in (*row, n)])


def record(case: Case, before: Key | None) -> None:
    """After a write to one case (its key was `before`): move it to its key now."""
    after = key_of(case)
    if before != after:
        apply(shift(Counter(), case.grid.code, before, after))


# ---------------------------------------------------------------------------------------------- reading


def maps(q: Q) -> bool:
    """Does this queue's Q test only the key's fields (so that the table can answer it)?"""
    for child in q.children:
        if isinstance(child, Q):
            if not maps(child):
                return False
            continue
        field, _sep, lookup = child[0].partition("__")
        if field not in COUNTED_FIELDS or lookup not in ("", "exact", "in"):
            return False
    return True


def rows_visible_to(user):
    """The counter rows that together count exactly the open cases `Case.objects.visible_to(user)` reads (each
    once), or None when the user's scope does not map onto the rows (then count the cases themselves).

    The scope's prefixes are reduced to the outermost ones (a street and a community inside it read the street's
    rows); a department's grant (prefix and department) reads that department's rows. It does not map when a grant
    reads only strictly below its place or sits at a code that is no counted level: no role's read does today."""
    reach = scope.read_reach(user, "case")
    if reach is None:  # a superuser: every city
        return CaseCounter.objects.filter(prefix__in=Place.objects.filter(level=PlaceLevel.CITY).values("code"))
    if any(below or len(prefix) not in PREFIX_LENGTHS for prefix, below, _department in reach):
        return None
    whole = {prefix for prefix, _below, department in reach if department is None}
    whole = {prefix for prefix in whole if not any(prefix != other and prefix.startswith(other) for other in whole)}
    by_department = {(prefix, department) for prefix, _below, department in reach
                     if department is not None and not any(prefix.startswith(other) for other in whole)}
    by_department = {(prefix, department) for prefix, department in by_department
                     if not any(prefix != other and prefix.startswith(other) and (other, department) in by_department
                                for other, _d in by_department)}
    parts = [Q(prefix=prefix, department_key=department) for prefix, department in sorted(by_department)]
    if whole:
        # A whole prefix inside a department's (a department's staff member who also walks a grid): that
        # department's cases there are in the department's rows already; the grid's rows give the others.
        inside = [Q(prefix=other, department_key=department) for prefix, department in sorted(by_department)
                  for other in sorted(whole) if other.startswith(prefix)]
        parts.append(Q(prefix__in=sorted(whole)) & ~reduce(or_, inside) if inside else Q(prefix__in=sorted(whole)))
    if not parts:
        return CaseCounter.objects.none()
    return CaseCounter.objects.filter(reduce(or_, parts))


# ---------------------------------------------------------------------------------------------- recount


def expected() -> Counter:
    """The rows as the cases say they should be (non-zero counts only)."""
    rows: Counter = Counter()
    grouped = (Case.objects.filter(status__in=OPEN).order_by()
               .values_list("grid__code", "department_id", "status", "alert", "supervised").annotate(n=Count("pk")))
    for code, department, status, alert, supervised, n in grouped:
        shift(rows, code, None, (department or 0, status, alert, bool(supervised)), n)
    return +rows


def stored() -> Counter:
    rows = Counter({tuple(row[:5]): row[5] for row in CaseCounter.objects.values_list(*KEY_FIELDS, "count")})
    return Counter({row: n for row, n in rows.items() if n})


def differences(want: Counter | None = None) -> dict[Row, tuple[int, int]]:
    """Rows whose stored count is not the cases' count: row → (stored, counted)."""
    have, want = stored(), expected() if want is None else want
    return {row: (have[row], want[row]) for row in sorted(set(have) | set(want)) if have[row] != want[row]}


def rebuild() -> dict[Row, tuple[int, int]]:
    """Replace the table with the recount, the table locked meanwhile (PostgreSQL): a step waits, then adds its
    move to the recounted rows; one that counted before the lock is in the recount. Returns what differed."""
    using = router.db_for_write(CaseCounter)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(CaseCounter._meta.db_table)} IN EXCLUSIVE MODE")
        want = expected()
        found = differences(want)
        CaseCounter.objects.all().delete()
        CaseCounter.objects.bulk_create(
            [CaseCounter(**dict(zip(KEY_FIELDS, row, strict=True)), count=n) for row, n in sorted(want.items())],
            batch_size=2000)
    return found
