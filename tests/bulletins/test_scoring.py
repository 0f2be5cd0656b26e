"""The arithmetic of rankings, worked by hand."""

import pytest

from bulletins import scoring
from bulletins.scoring import Term


def test_a_rate_without_a_denominator_is_no_rate_and_prints_a_dash():
    assert scoring.rate(0, 0) is None and scoring.percent(None) == "—"
    assert scoring.percent(scoring.rate(911, 972)) == "93.72%"  # the Tianmen bulletin's 结案率
    assert scoring.percent(scoring.rate(737, 972)) == "75.82%"


def test_the_wilson_interval_of_six_in_eight():
    # p = .75, z² = 3.8415: centre (.75 + .2401) / 1.4802 = .6689, half 1.96·√(.0234375 + .0150059) / 1.4802 = .2596
    low, high = scoring.wilson(6, 8)
    assert low == pytest.approx(0.4093, abs=1e-3) and high == pytest.approx(0.9285, abs=1e-3)
    assert scoring.wilson(0, 0) is None
    low, high = scoring.wilson(1, 1)  # one case, all on time: nowhere near certain
    assert high == 1.0 and low == pytest.approx(0.2065, abs=1e-3)


DEFAULT = [Term("case.handling", 30, False), Term("case.handling_on_time", 20, False), Term("case.rework", 20, True),
           Term("case.overdue_open", 20, True), Term("case.extension", 10, True)]


def test_the_default_score_and_a_unit_missing_a_denominator():
    figures = {"case.handling": [6, 8], "case.handling_on_time": [3, 8], "case.rework": [1, 8],
               "case.overdue_open": [2, 8], "case.extension": [1, 8]}
    terms = DEFAULT
    result = scoring.score(figures, terms)
    assert result.value == pytest.approx(71.25)  # 22.5 + 7.5 + 17.5 + 15 + 8.75
    assert result.low < 71.25 < result.high
    assert scoring.score({"case.handling": [0, 0]}, terms).value is None


def test_ties_share_a_rank_and_the_lists_take_every_unit_at_their_edge():
    ranks = scoring.competition_ranks({"a": 90, "b": 90, "c": 80, "d": 70, "e": 70, "f": 60})
    assert ranks == {"a": 1, "b": 1, "c": 3, "d": 4, "e": 4, "f": 6}
    assert scoring.red_and_black(ranks, 1) == (["a", "b"], ["f"])
    assert scoring.red_and_black(ranks, 2) == (["a", "b"], ["f", "d", "e"])
    assert scoring.red_and_black({"a": 1}, 3) == (["a"], [])


def test_bands_median_and_why_a_score_moved():
    bands = [{"label": "优秀", "min": 90}, {"label": "良好", "min": 80}, {"label": "合格", "min": 60},
             {"label": "不合格", "min": 0}]
    assert [scoring.band(v, bands) for v in (93.46, 82.94, 60, 59.99)] == ["优秀", "良好", "合格", "不合格"]
    assert scoring.median([3, 1, 2]) == 2 and scoring.median([4, 1, 2, 3]) == 2.5 and scoring.median([]) is None
    terms = [Term("case.handling", 30, False), Term("case.rework", 20, True)]
    why = scoring.contributions({"case.handling": [9, 10], "case.rework": [2, 10]},
                                {"case.handling": [6, 10], "case.rework": [1, 10]}, terms)
    assert why == {"case.handling": pytest.approx(9.0), "case.rework": pytest.approx(-2.0)}


def test_a_cell_shows_small_intervals_with_a_decimal():
    from bulletins.selectors import rate_cell

    assert rate_cell([0, 810]) == {"n": 0, "d": 810, "rate": "0.00%", "interval": "0.0–0.5%"}
    assert rate_cell([6, 8])["interval"] == "41–93%"
    assert rate_cell([0, 0]) == {"n": 0, "d": 0, "rate": "—", "interval": ""}
