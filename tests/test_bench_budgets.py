"""`make bench`'s verdicts on made-up results (no database, no server): the throughput floor by page kind, the
growth exponent between consecutive scales, and the alarm when a page's floor ratio drops against the last run."""

import json

from bench.run import budgets, previous_runs


def page(kind: str, rps: float, p50: float, queries: int = 5) -> dict:
    return {"kind": kind, "rps": rps, "p50_ms": p50, "p95_ms": p50 * 1.3, "requests": int(rps * 8),
            "single_ms": p50 / 2, "queries": queries}


def run(scale: float, visits: int, pages: dict) -> dict:
    return {"scale": scale, "rows": {"visits": visits}, "pages": {"floor": page("floor", 1000, 2, 2), **pages}}


def verdicts(lines) -> dict[str, bool | None]:
    return {name: ok for name, ok, _figure in lines}


def test_throughput_floor_depends_on_the_page_kind():
    lines = verdicts(budgets([run(1, 1_000_000, {
        "ledger": page("html_list", 200, 20),      # 0.20×: enough for a list
        "queue": page("html_list", 100, 40),       # 0.10×: not even for a list
        "API cases": page("api_list", 200, 20),    # 0.20×: an API list needs 0.3×
        "case detail": page("detail", 350, 10),
        "visit POST": page("post", 250, 15),
    })]))
    assert lines["scale 1 ledger (html_list): throughput ≥0.15× floor"] is True
    assert lines["scale 1 queue (html_list): throughput ≥0.15× floor"] is False
    assert lines["scale 1 API cases (api_list): throughput ≥0.3× floor"] is False
    assert lines["scale 1 case detail (detail): throughput ≥0.3× floor"] is True
    assert lines["scale 1 visit POST (post): throughput ≥0.3× floor"] is False
    assert not any("floor (floor): throughput" in name for name in lines)


def test_growth_exponent_applies_between_every_pair_of_consecutive_scales():
    results = [
        run(0.1, 100_000, {"flat": page("detail", 300, 10), "linear": page("html_list", 200, 10)}),
        run(1, 1_000_000, {"flat": page("detail", 300, 11), "linear": page("html_list", 200, 100)}),
        run(10, 10_000_000, {"flat": page("detail", 300, 20), "linear": page("html_list", 200, 100)}),
    ]
    lines = verdicts(budgets(results))
    assert lines["flat: growth exponent 0.1 → 1 ≤0.2"] is True       # 10 → 11 ms: 0.04
    assert lines["linear: growth exponent 0.1 → 1 ≤0.2"] is False    # 10 → 100 ms: 1.0, passed by the old ≤1
    assert lines["flat: growth exponent 1 → 10 ≤0.2"] is False       # 11 → 20 ms: 0.26
    assert lines["linear: growth exponent 1 → 10 ≤0.2"] is True
    assert not any("0.1 → 10" in name for name in lines)


def test_regression_alarm_compares_floor_ratios_with_the_newest_earlier_run(tmp_path):
    def saved(name: str, when: str, rps: float) -> None:
        (tmp_path / name).write_text(json.dumps({"when": when, "results": [
            run(1, 1_000_000, {"ledger": page("html_list", rps, 20)})]}))

    saved("baseline.json", "baseline", 400)
    saved("20261129T130000.json", "older", 100)
    saved("20261130T090000.json", "newest", 200)   # ledger at 0.20× the floor
    previous = previous_runs(tmp_path, [1.0, 0.1])
    assert previous[1.0]["source"].startswith("20261130T090000.json")
    assert 0.1 not in previous

    dropped = verdicts(budgets([run(1, 1_000_000, {"ledger": page("html_list", 160, 20)})], previous))
    assert dropped["scale 1 ledger: floor ratio drop ≤15% against the previous run"] is False   # −20 %
    held = verdicts(budgets([run(1, 1_000_000, {"ledger": page("html_list", 175, 20)})], previous))
    assert held["scale 1 ledger: floor ratio drop ≤15% against the previous run"] is True      # −12.5 %
    first = verdicts(budgets([run(0.1, 100_000, {"ledger": page("html_list", 175, 20)})], previous))
    assert first["scale 0.1 floor ratios: no drop >15% against the previous run"] is None


def test_a_fresh_clone_compares_with_the_committed_baseline(tmp_path):
    (tmp_path / "baseline.json").write_text(json.dumps({"when": "baseline", "results": [
        run(1, 1_000_000, {"ledger": page("html_list", 200, 20)})]}))
    previous = previous_runs(tmp_path, [1.0])
    assert previous[1.0]["source"].startswith("baseline.json")
    assert previous[1.0]["ratios"] == {"ledger": 0.2}


def test_the_mix_is_budgeted_at_the_morning_rate_and_only_reported_flat_out():
    result = run(1, 1_000_000, {})
    result["mix"] = {"flat_out": {"rps": 150, "p50_ms": 25, "p95_ms": 140},
                     "paced": {"rps": 28, "p50_ms": 20, "p95_ms": 120}}
    lines = verdicts(budgets([result]))
    assert lines["scale 1 weighted mix at a district's morning rate: p95 ≤100 ms (one node)"] is False
    assert lines["scale 1 weighted mix flat out: the node's capacity (reported, no bound)"] is None
