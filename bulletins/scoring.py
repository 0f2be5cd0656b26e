"""The arithmetic of bulletins and rankings, on figures already counted by the database: rates that know their
denominator, Wilson intervals, the weighted score and its interval, ranks with ties, grade bands, the median
test, and why a rank moved. Pure functions: tests work them out by hand (docs/measures.md, "Scores")."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959964


def rate(n: int, d: int) -> float | None:
    """n / d, or None when there is nothing to count (printed "—", never 0 % or 100 %)."""
    return None if not d else n / d


def wilson(n: int, d: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of n successes in d (95 %): honest for small d and for rates near 0 or 1."""
    if not d:
        return None
    p = n / d
    denominator = 1 + z * z / d
    centre = (p + z * z / (2 * d)) / denominator
    half = z * math.sqrt(p * (1 - p) / d + z * z / (4 * d * d)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def percent(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


@dataclass(frozen=True)
class Term:
    measure: str
    weight: float
    lower_is_better: bool  # counted as 1 − rate


@dataclass(frozen=True)
class Score:
    value: float | None  # None: not every weighted measure has a denominator (无数据)
    low: float | None
    high: float | None
    parts: dict  # measure → points contributed


def score(figures: dict, terms: Iterable[Term]) -> Score:
    """Σ weight × rate (or × (1 − rate) where lower is better), on a 0–100 scale when the weights sum to 100.
    Its interval takes each rate's Wilson bounds at the unfavourable and favourable end: conservative (wider than
    a joint interval), so "cannot be told apart" errs towards caution."""
    value = low = high = 0.0
    parts = {}
    for term in terms:
        n, d = figures.get(term.measure, (0, 0))
        r, bounds = rate(n, d), wilson(n, d)
        if r is None:
            return Score(None, None, None, {})
        lo, hi = bounds
        if term.lower_is_better:
            r, lo, hi = 1 - r, 1 - hi, 1 - lo
        parts[term.measure] = term.weight * r
        value += term.weight * r
        low += term.weight * lo
        high += term.weight * hi
    return Score(round(value, 4), round(low, 4), round(high, 4), parts)


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    """Standard competition ranking (1, 2, 2, 4): equal scores share a rank, 不分先后."""
    ordered = sorted(values.values(), reverse=True)
    return {unit: 1 + ordered.index(value) for unit, value in values.items()}


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def band(value: float | None, bands: list[dict]) -> str:
    if value is None:
        return ""
    for entry in sorted(bands, key=lambda b: -b["min"]):
        if value >= entry["min"]:
            return entry["label"]
    return ""


def red_and_black(ranks: dict[str, int], size: int) -> tuple[list[str], list[str]]:
    """The best and the worst `size` ranked units; a tie at the edge brings in every unit of that rank (不分先后).
    With fewer than two lists' worth of units, the lists do not overlap: the black list takes what is left."""
    if not ranks or size <= 0:
        return [], []
    order = sorted(ranks, key=lambda u: (ranks[u], u))
    red_edge = ranks[order[min(size, len(order)) - 1]]
    red = [u for u in order if ranks[u] <= red_edge]
    rest = [u for u in order if u not in red]
    if not rest:
        return red, []
    worst = sorted(rest, key=lambda u: (-ranks[u], u))
    black_edge = ranks[worst[min(size, len(worst)) - 1]]
    black = [u for u in worst if ranks[u] >= black_edge]
    return red, black


def contributions(now: dict, before: dict, terms: Iterable[Term]) -> dict[str, float]:
    """How many points each measure added to (or took from) the score since the last period."""
    out = {}
    for term in terms:
        r_now, r_before = rate(*now.get(term.measure, (0, 0))), rate(*before.get(term.measure, (0, 0)))
        if r_now is None or r_before is None:
            continue
        change = (r_now - r_before) * term.weight
        out[term.measure] = round(-change if term.lower_is_better else change, 4)
    return out
