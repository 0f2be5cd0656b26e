"""The import rule (docs/architecture.md, "The import rule"): contracts in pyproject.toml, checked by import-linter,
and no import cycle between modules. Both read the source statically, lazy imports (inside a function) included:
a lazy import hides a cycle, it does not remove it."""

import contextlib
import logging
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("wudu", "grids", "outreach", "ledger", "cases", "affairs", "inspections", "bulletins", "audit", "bench")


@contextlib.contextmanager
def loggers_kept():
    """import-linter configures logging for itself (dictConfig), which disables every logger that exists, the
    project's included, for every later test in this process: switch them back as they were."""
    existing = [logging.getLogger(name) for name in logging.root.manager.loggerDict]
    was = {logger.name: logger.disabled for logger in existing if isinstance(logger, logging.Logger)}
    try:
        yield
    finally:
        for name, disabled in was.items():
            logging.getLogger(name).disabled = disabled


def test_apps_import_along_the_rule(capsys):
    logging.getLogger("wudu.notify")
    with loggers_kept():
        code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert code == 0, report
    # the tests after this one still hear the project's loggers (the case loop's notices, the redaction tests)
    assert not logging.getLogger("wudu.notify").disabled


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_between_modules():
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True, cache_dir=None)
    edges = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    cycles = _cycles(edges)
    chains = [
        " -> ".join(graph.find_shortest_chain(importer=cycle[0], imported=cycle[1]) or cycle) for cycle in cycles
    ]
    assert not cycles, f"import cycles: {cycles}; e.g. {chains}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
