"""The documentation lives in the repository and stays true to the code.

- No file refers to a document outside the repository (a contributor who clones it cannot read
  those): the product side (README, docs, notebooks, params, build files) and the code
  side (lib, tests) are checked by separate tests.
- Every ``*.md`` a file names exists in the repository, every ``docs/<page>.md §N.M`` it cites
  is a numbered heading of that page, every Markdown link resolves (anchors included), and
  every docs page is in the reading order.
- The docs cover the code: every params key, stage, signal, canonical column and kind; the
  CSV mapping examples load with every row accounted for (counted with ``csv``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

import pytest
import warmcall as wc
from pydantic import BaseModel
from warmcall.core import params, schema
from warmcall.ingest.loaders.base import SIGNALS
from warmcall.model import quality

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
ROOT_DOCS = ("README.md", "CONTRIBUTING.md", "CHANGELOG.md", "BENCHMARKS.md")

#: references to material outside the repository
OUTSIDE = re.compile(r"\.\./shared|shared/(?:DESIGN|reference)|(?<![\w.])/work/")
MD_NAME = re.compile(r"(?<![\w/.-])((?:\.\./|[\w-]+/)*[\w-]+\.md)\b")
SECTION_CITE = re.compile(r"(docs/[\w-]+\.md),? (§\d+(?:\.\d+)?(?:\s*[–-]\s*§\d+(?:\.\d+)?)?)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _files(*parts: str, exts: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for part in parts:
        p = ROOT / part
        if p.is_file():
            out.append(p)
        elif p.is_dir():
            out += [f for f in sorted(p.rglob("*")) if f.is_file() and f.suffix in exts]
    return [f for f in out if "__pycache__" not in f.parts and f.name != "test_docs.py"]


PRODUCT = _files(
    *ROOT_DOCS, "docs", "notebooks", "params", "deploy", ".ci", "Makefile",
    "pyproject.toml", "environment.yml", "setup.py", "MANIFEST.in",
    exts=(".md", ".py", ".ipynb", ".yaml", ".yml", ".toml", ".j2", ""),
)  # fmt: skip
CODE = _files("lib", "tests", exts=(".py", ".j2", ".json", ".ipynb"))


def _problems(files: list[Path]) -> list[str]:
    """Outside references and ``*.md`` names that do not resolve inside the repository."""
    found = []
    for f in files:
        rel = f.relative_to(ROOT)
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{rel}:{n}: outside the repository: {line.strip()[:120]}")
            for name in MD_NAME.findall(line):
                if not any((base / name).is_file() for base in (ROOT, f.parent)):
                    found.append(f"{rel}:{n}: no such document {name!r}: {line.strip()[:120]}")
    return found


def _headings(page: Path) -> list[str]:
    return [
        m.group(1).strip()
        for m in re.finditer(r"^#+ (.+)$", page.read_text(encoding="utf-8"), re.M)
    ]


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rules) gives a heading."""
    s = heading.strip().lower().replace("`", "")
    s = "".join(c for c in s if c in " -_" or unicodedata.category(c)[0] in "LN")
    return s.replace(" ", "-")


def _section_problems(files: list[Path]) -> list[str]:
    found = []
    for f in files:
        for page, cite in SECTION_CITE.findall(f.read_text(encoding="utf-8")):
            target = ROOT / page
            if not target.is_file():
                continue  # reported by _problems
            numbers = {h.split(" ", 1)[0].rstrip(".") for h in _headings(target)}
            for num in re.findall(r"§(\d+(?:\.\d+)?)", cite):
                if num not in numbers:
                    found.append(f"{f.relative_to(ROOT)}: {page} has no section {num}")
    return found


def test_product_files_cite_only_documents_in_the_repository() -> None:
    """README, docs, notebooks, params and build files."""
    assert PRODUCT and any(f.parent == DOCS for f in PRODUCT)
    problems = _problems(PRODUCT) + _section_problems(PRODUCT)
    assert not problems, "\n".join(problems)


def test_library_and_tests_cite_only_documents_in_the_repository() -> None:
    """lib/ and tests/: docstrings and comments cite docs/<page>.md, never a file outside
    the repository (the old DESIGN.md / reference names)."""
    problems = _problems(CODE) + _section_problems(CODE)
    assert not problems, f"{len(problems)} references:\n" + "\n".join(problems)


def test_markdown_links_resolve() -> None:
    pages = [ROOT / n for n in ROOT_DOCS if (ROOT / n).is_file()] + sorted(DOCS.glob("*.md"))
    bad = []
    for page in pages:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # a URL
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                bad.append(f"{page.name}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in map(_slug, _headings(dest)):
                bad.append(f"{page.name}: {target} (no such heading)")
    assert not bad, "\n".join(bad)


def test_every_docs_page_is_in_the_reading_order() -> None:
    order = LINK.findall((DOCS / "README.md").read_text(encoding="utf-8"))
    pages = {p.name for p in DOCS.glob("*.md")} - {"README.md"}
    assert pages and pages <= set(order), f"not in docs/README.md: {pages - set(order)}"


def _param_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, f in model.model_fields.items():
        sub = f.annotation
        args = getattr(sub, "__args__", ())
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            keys += _param_keys(sub, f"{prefix}{name}.")
        elif args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            keys.append(f"{prefix}{name}")
            keys += [k for k in _param_keys(args[0]) if k]  # list items: the leaf names
        else:
            keys.append(f"{prefix}{name}")
    return keys


def test_params_reference_covers_every_key() -> None:
    text = (DOCS / "params.md").read_text(encoding="utf-8")
    keys = _param_keys(params.Params)
    assert "quality.weights.recency" in keys and "outreach.per_day" in keys
    missing = [k for k in keys if f"`{k}`" not in text]
    assert not missing, f"params keys not in docs/params.md: {missing}"


def test_metrics_define_every_stage_in_funnel_order() -> None:
    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    missing = [s for s in quality.STAGES if not re.search(rf"^\| {s} \|", text, re.M)]
    assert not missing, f"stages without a rule in docs/metrics.md: {missing}"
    funnel = " → ".join(quality.STAGES)
    assert funnel in text, f"docs/metrics.md should state the funnel: {funnel}"


def test_signals_are_documented() -> None:
    formats = (DOCS / "export-formats.md").read_text(encoding="utf-8")
    header = next(x for x in formats.splitlines() if x.startswith("| export |"))
    assert [c.strip() for c in header.strip("|").split("|")[1:]] == list(SIGNALS)
    arch = (DOCS / "architecture.md").read_text(encoding="utf-8")
    assert all(f"`{s}`" in arch for s in SIGNALS)


def test_architecture_lists_every_canonical_column_and_kind() -> None:
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    for table, columns in schema.TABLES.items():
        section = text.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        missing = [c for c in columns if not re.search(rf"\b{c}\b", section)]
        assert not missing, f"{table} columns not in docs/architecture.md: {missing}"
    assert all(f"`{k}`" in text for k in schema.KINDS)
    assert all(f"`{p}`" in text for p in schema.PLATFORMS)


def _mapping_examples() -> list[tuple[str, str, str]]:
    text = (DOCS / "mapping.md").read_text(encoding="utf-8")
    out = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        c = re.search(r"```csv\n(.*?)```", section, re.S)
        y = re.search(r"```yaml\n(.*?)```", section, re.S)
        if c and y:
            out.append((section.splitlines()[0], c.group(1), y.group(1)))
    return out


@pytest.mark.parametrize("title,csv_text,yaml_text", _mapping_examples())
def test_mapping_examples_load(tmp_path: Path, title: str, csv_text: str, yaml_text: str) -> None:
    (tmp_path / "in.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text(yaml_text, encoding="utf-8")
    rows = len(list(csv.DictReader(io.StringIO(csv_text))))
    wb = wc.load(tmp_path / "in.csv", mapping=tmp_path / "mapping.yaml", cache=False)
    (source,) = wb.report.sources
    assert (source.rows_read, source.rows_loaded) == (rows, rows), (title, source.rejects)


def test_there_are_mapping_examples() -> None:
    assert len(_mapping_examples()) >= 3


def test_metrics_state_what_each_figure_needs() -> None:
    """The 'not in this export' table equals ``observability.FIGURE_NEEDS``."""
    from warmcall.model.observability import FIGURE_NEEDS

    text = (DOCS / "metrics.md").read_text(encoding="utf-8")
    table = text.split("| figure | needs any of |", 1)[1].split("\n\n", 1)[0]
    rows = [r.strip("|").split("|") for r in table.strip().splitlines()[1:]]
    documented = {a.strip(): tuple(s.strip() for s in b.split(",")) for a, b in rows}
    assert documented == FIGURE_NEEDS


def test_architecture_names_every_module_of_the_library() -> None:
    """docs/architecture.md has one line for each module (one sentence per module)."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    lib = ROOT / "lib" / "warmcall"
    missing = []
    for p in sorted(lib.rglob("*.py")):
        rel = p.relative_to(lib).as_posix()
        if p.name in ("__init__.py", "__main__.py") or rel.startswith("sample/"):
            continue
        if rel.startswith("ingest/loaders/"):
            continue  # the loaders are named as one row, and each in docs/export-formats.md
        if f"`{rel}`" not in text:
            missing.append(rel)
    assert not missing, f"modules not described in docs/architecture.md: {missing}"
