#!/usr/bin/env python3
"""Check a gettext catalogue (default: the English one) for gaps before it ships.

    .venv/bin/python scripts/check_translations.py [--sources] [path/to/django.po ...]

Reports, with the source references of each entry:
  untranslated   an empty msgstr (or any empty plural form)
  fuzzy          a "#, fuzzy" flag: msgmerge guessed the translation and nobody has checked it
  placeholders   %(name)s-style placeholders that differ between msgid and msgstr
  chinese        CJK characters left in the msgstr of a non-Chinese catalogue (allowed with a translator
                 comment "# keep-chinese", e.g. a language's own name in the language switch)
  missing        (with --sources) strings in the code and templates that the catalogue lacks: run
                 `manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=static --ignore=tests`

Exits 1 when there is any problem. No third-party packages: the parser below reads the subset of the PO
format that Django's makemessages writes (no obsolete "#~" entries, which it drops).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc%]")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
KEEP_CHINESE = "keep-chinese"


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index -> text; index 0 when not plural
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # translator comments ("# ...")

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def python_format(self) -> bool:
        return "python-format" in self.flags

    def where(self) -> str:
        return " ".join(self.references) or f"line {self.line}"


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # a C-style quoted string; PO escapes are a subset of Python's


def parse_po(path: Path | str) -> list[Entry]:
    """Entries in file order, header included. Entries are separated by blank lines, as makemessages writes them."""
    entries: list[Entry] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    block: list[tuple[int, str]] = []
    for lineno, raw in enumerate([*lines, ""], 1):
        if raw.strip():
            block.append((lineno, raw.strip()))
        elif block:
            entry = _parse_block(path, block)
            if entry is not None:
                entries.append(entry)
            block = []
    return entries


def _parse_block(path, block: list[tuple[int, str]]) -> Entry | None:
    entry = Entry(line=block[0][0])
    target: tuple[str, int] | None = None  # which field a continuation line extends
    seen_msgid = False
    for lineno, line in block:
        if line.startswith("#~"):
            continue  # obsolete
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#:"):
            entry.references.extend(line[2:].split())
        elif line.startswith("# ") or line == "#":
            entry.comments.append(line[2:])
        elif line.startswith("#"):
            pass  # extracted comments (#.), previous msgids (#|)
        elif line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{lineno}: a string outside any field")
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword == "msgctxt":
                entry.msgctxt, target = _unquote(rest), ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target, seen_msgid = _unquote(rest), ("msgid", 0), True
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = _unquote(rest), ("msgid_plural", 0)
            elif keyword == "msgstr":
                entry.msgstr[0], target = _unquote(rest), ("msgstr", 0)
            elif keyword.startswith("msgstr[") and keyword.endswith("]"):
                index = int(keyword[7:-1])
                entry.msgstr[index], target = _unquote(rest), ("msgstr", index)
            else:
                raise ValueError(f"{path}:{lineno}: cannot read {line!r}")
    return entry if seen_msgid else None


def placeholders(text: str) -> list[str]:
    """The %-placeholders of a python-format string, by name (or by conversion when unnamed), sorted."""
    found = []
    for match in PLACEHOLDER.finditer(text):
        if match.group(0) == "%%":
            continue
        found.append(match.group(1) or match.group(0)[-1])
    return sorted(found)


def problems(entries: list[Entry], *, chinese_allowed: bool = False) -> list[tuple[str, Entry]]:
    """(kind, entry) for every problem; the header only counts when it is fuzzy."""
    found: list[tuple[str, Entry]] = []
    for entry in entries:
        if entry.fuzzy:
            found.append(("fuzzy", entry))
        if entry.is_header:
            continue
        forms = entry.msgstr.values() if entry.msgstr else [""]
        if any(not text for text in forms):
            found.append(("untranslated", entry))
            continue
        if entry.python_format or PLACEHOLDER.search(entry.msgid.replace("%%", "")):
            wanted = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural or ""))
            if any(set(placeholders(text)) != wanted for text in forms):
                found.append(("placeholders", entry))
        if not chinese_allowed and not any(KEEP_CHINESE in c for c in entry.comments):
            if any(CJK.search(text) for text in forms):
                found.append(("chinese", entry))
    return found


# What `manage.py makemessages` reads, with the project's usual --ignore list (Makefile / the i18n tests).
IGNORED_DIRS = {".venv", "node_modules", "static", "tests", "locale", "media", "staticfiles", "var"}
TEMPLATE_SUFFIXES = {".html", ".txt"}
XGETTEXT_KEYWORDS = [  # as Django's makemessages passes them to xgettext
    "--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=ngettext_lazy:1,2", "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3", "--keyword=pgettext_lazy:1c,2", "--keyword=npgettext_lazy:1c,2,3",
]


def _source_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in IGNORED_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES:
                found.append(path)
    return found


def source_msgids(root: Path = ROOT) -> set[str]:
    """The msgids makemessages would extract from the sources now (needs gettext's xgettext and Django)."""
    from django.utils.translation.template import templatize

    with tempfile.TemporaryDirectory() as tmp:
        inputs = []
        for path in _source_files(root):
            if path.suffix == ".py":
                inputs.append(str(path))
                continue
            converted = Path(tmp, path.relative_to(root)).with_suffix(path.suffix + ".py")
            converted.parent.mkdir(parents=True, exist_ok=True)
            converted.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
            inputs.append(str(converted))
        pot = Path(tmp, "sources.pot")
        subprocess.run(
            ["xgettext", "--language=Python", "--from-code=UTF-8", *XGETTEXT_KEYWORDS, "--output", str(pot), *inputs],
            check=True, capture_output=True,
        )
        return catalogue_msgids(parse_po(pot)) if pot.exists() else set()


def catalogue_msgids(entries: list[Entry]) -> set[str]:
    """msgids (with "context\\x04" in front when there is a msgctxt), header left out."""
    return {e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}" for e in entries if not e.is_header}


def main(argv: list[str]) -> int:
    sources = "--sources" in argv
    paths = [Path(a) for a in argv if a != "--sources"] or [DEFAULT_PO]
    if sources:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wudu.settings")
        import django

        django.setup()
        in_sources = source_msgids(ROOT)
    failed = False
    for path in paths:
        entries = parse_po(path)
        chinese_allowed = any(part.startswith("zh") for part in path.parts)
        found = problems(entries, chinese_allowed=chinese_allowed)
        print(f"{path}: {sum(1 for e in entries if not e.is_header)} entries, {len(found)} problem(s)")
        for kind, entry in found:
            print(f"  {kind:13} {entry.where()}\n                msgid {entry.msgid!r}")
        if sources:
            missing = sorted(in_sources - catalogue_msgids(entries))
            for msgid in missing:
                print(f"  {'missing':13} msgid {msgid!r}")
            found += [("missing", None)] * len(missing)
        failed = failed or bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
