"""The sample report's pages in headless Chromium: they fit a 1280 px window, every
truncated table links its full data, the tables read as words and consistent numbers, the
pages print with their charts, and they follow the reader's dark theme.

The sample report (params/sample.yaml, every notebook, ``xlsx=True``) is built once for the
module. Charts are found as ``figure.wc-chart`` (inline SVG) or ``.vega-embed``, so the tests
hold for both kinds of chart.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from browser import chromium_context, open_offline, require_chromium

require_chromium(module_level=True)

ROOT = Path(__file__).resolve().parents[1]
CHARTS = "figure.wc-chart, .vega-embed"
WIDTH = 1280


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The sample report set's folder (pages, data/, data.xlsx), built once."""
    from warmcall.run.report import run_reports

    out = tmp_path_factory.mktemp("sample-report")
    results = run_reports(
        [ROOT / "params" / "sample.yaml"], out, jobs=1, progress=False, root=ROOT, xlsx=True
    )
    assert results and all(r.ok for r in results), [(r.notebook, r.error_message) for r in results]
    return results[0].html.parent


@pytest.fixture(scope="module")
def context():
    with chromium_context() as ctx:
        yield ctx


def _pages(report: Path) -> list[Path]:
    return sorted(report.glob("[0-9][0-9]_*.html"))


def _open(context, path: Path, width: int = WIDTH):
    page, log = open_offline(context, path.as_uri())
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_function(
        f"() => [...document.querySelectorAll('{CHARTS}')].every(c => c.querySelector('svg, canvas'))",
        timeout=20_000,
    )
    return page, log


OVERFLOW_JS = """() => {
  const over = [];
  const check = (what, e) => { if (e.scrollWidth > e.clientWidth) over.push([what, e.scrollWidth, e.clientWidth]); };
  check('document', document.documentElement);
  check('body', document.body);
  document.querySelectorAll('.wc-table-wrap').forEach((e, i) => check('table ' + i, e));
  document.querySelectorAll('table').forEach((t, i) => {
    if (t.getBoundingClientRect().right > document.documentElement.clientWidth) over.push(['table right ' + i]);
  });
  return over;
}"""


def test_every_page_fits_1280px_renders_offline_and_is_saved_as_screenshot(
    report, context, tmp_path
):
    pages = _pages(report) + [report.parents[1] / "index.html"]
    assert len(pages) == 5  # four sample notebooks and the index
    for path in pages:
        page, log = _open(context, path)
        assert page.evaluate(OVERFLOW_JS) == [], path.name
        assert log.console_errors == [] and log.requests == [], path.name
        shot = tmp_path / f"{path.stem}.png"
        page.screenshot(path=shot, full_page=True)
        assert shot.stat().st_size > 10_000
        page.close()


def _csv_rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1  # minus the header


TABLES_JS = """() => [...document.querySelectorAll('.wc-table-wrap')].map(w => ({
  caption: w.querySelector('caption')?.textContent || '',
  link: w.querySelector('caption a')?.getAttribute('href') || null,
  heads: [...w.querySelectorAll('thead th')].map(th => th.textContent),
  rows: [...w.querySelectorAll('tbody tr')].map(tr => [...tr.children].map(td => [td.className, td.textContent])),
}))"""


def test_truncated_tables_say_how_many_rows_and_link_all_of_them(report, context):
    truncated = 0
    for path in _pages(report):
        page, _ = _open(context, path)
        for t in page.evaluate(TABLES_JS):
            m = re.search(r"showing ([\d,]+) of ([\d,]+) rows", t["caption"])
            if not m:
                continue
            truncated += 1
            shown, total = (int(x.replace(",", "")) for x in m.groups())
            assert len(t["rows"]) == shown < total
            assert t["link"], f"{path.name}: a truncated table without its full data"
            assert f"all {total:,} rows" in t["caption"]
            assert _csv_rows(path.parent / t["link"]) == total
        page.close()
    assert truncated >= 3  # ranked contacts (2 tables), follow-back, identities


def test_data_list_links_every_saved_table_and_the_workbook_has_a_sheet_each(report, context):
    import openpyxl

    csvs = sorted(p.name for p in (report / "data").glob("*.csv"))
    assert {"scores.csv", "overview.csv", "contacts_ranked.csv", "identities.csv"} <= set(csvs)
    linked = set()
    for path in _pages(report):
        page, _ = _open(context, path)
        hrefs = page.evaluate(
            "() => [...document.querySelectorAll('.wc-data a')].map(a => a.getAttribute('href'))"
        )
        if page.locator(".wc-table-wrap").count():  # every page with a table has the list
            assert hrefs, f"{path.name} has no Data list"
        for h in hrefs:
            assert (path.parent / h).is_file(), h
        every = page.evaluate(
            "() => [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))"
        )
        linked |= {
            Path(h).name for h in every if h and h.startswith("data/") and h.endswith(".csv")
        }
        page.close()
    assert linked == set(csvs)
    wb = openpyxl.load_workbook(report / "data.xlsx", read_only=True)
    assert sorted(wb.sheetnames) == sorted(n[: -len(".csv")][:31] for n in csvs)
    assert all(len(n) <= 31 for n in wb.sheetnames)
    ws = wb["identities"]
    assert ws.max_row - 1 == _csv_rows(report / "data" / "identities.csv")
    wb.close()


NUMBER = re.compile(r"^-?[\d,]+(?:\.(\d+))?%?$")


def test_tables_read_as_words_with_one_number_format_per_column(report, context):
    for path in _pages(report):
        page, _ = _open(context, path)
        for t in page.evaluate(TABLES_JS):
            assert not any("_" in h for h in t["heads"]), (path.name, t["heads"])
            width = len(t["heads"])
            decimals: dict[int, set[int]] = {}
            for row in t["rows"]:
                assert len(row) == width
                for i, (cls, text) in enumerate(row):
                    m = NUMBER.match(text)
                    if "num" in cls and m:
                        decimals.setdefault(i, set()).add(len(m.group(1) or ""))
            mixed = {t["heads"][i]: d for i, d in decimals.items() if len(d) > 1}
            assert not mixed, (path.name, mixed)
        page.close()


def test_ordered_tables_show_ranks(report, context):
    page, _ = _open(context, report / "02_audit.html")
    first = page.evaluate(TABLES_JS)[0]
    assert first["heads"][0] == "#"
    assert [r[0][1] for r in first["rows"][:3]] == ["1", "2", "3"]
    page.close()


def test_overview_prints_to_pdf_with_its_charts_and_nothing_cut(report, context):
    import pypdf

    page, _ = _open(context, report / "01_overview.html")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 700, "height": 1000})  # about an A4 page's printable width
    charts = page.evaluate(
        f"""() => [...document.querySelectorAll('{CHARTS}')].map(c => ({{
          right: c.getBoundingClientRect().right,
          title: c.getAttribute('aria-label') && c.matches('figure') ? null
                 : (c.querySelector('.role-title-text, .role-title text')?.textContent || null),
          texts: [...c.querySelectorAll('svg text')].map(t => t.textContent.trim()).filter(s => s.length >= 4),
        }}))"""
    )
    assert len(charts) >= 3
    assert page.evaluate(OVERFLOW_JS) == []  # print: tables wrap, nothing wider than the page
    assert all(c["right"] <= 700 for c in charts)
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    page.close()

    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s)

    text = norm(" ".join(p.extract_text() for p in pdf.pages))
    assert "Per platform" in text
    for c in charts:
        found = [s for s in c["texts"] if norm(s) in text]
        assert len(found) >= min(3, len(c["texts"])) > 0, c["texts"][:8]
        if c["title"]:
            assert norm(c["title"]) in text


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", css)[:3])


def _luma(css: str) -> float:
    r, g, b = _rgb(css)
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_pages_follow_the_dark_color_scheme(report, context):
    styles_js = """() => {
      const s = e => { const c = getComputedStyle(e); return [c.backgroundColor, c.color]; };
      return {body: s(document.body), main: s(document.querySelector('main')),
              th: s(document.querySelector('table.wc-table th')),
              td: s(document.querySelector('table.wc-table td')),
              header: s(document.querySelector('.wc-header')),
              link: s(document.querySelector('.wc-data a'))};
    }"""
    page, _ = _open(context, report / "01_overview.html")
    page.emulate_media(color_scheme="light")
    light = page.evaluate(styles_js)
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate(styles_js)
    page.close()
    assert _luma(light["body"][0]) > 0.8 and _luma(light["main"][0]) > 0.8
    assert _luma(dark["body"][0]) < 0.2 and _luma(dark["main"][0]) < 0.2
    assert _luma(dark["th"][0]) < 0.2
    for part in ("main", "td", "th", "header", "link"):
        assert _luma(dark[part][1]) > 0.55, (part, dark[part])  # light text on dark


def test_no_page_shows_a_bare_python_value(report):
    """A cell's last expression is shown on the page: every one must be rendered output (a
    chart's figure, an HTML table), never a Python repr such as PosixPath('…/metrics.json')."""
    import nbformat

    books = sorted(report.glob("[0-9][0-9]_*.ipynb"))
    assert books
    bare = []
    for nb_path in books:
        nb = nbformat.read(nb_path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = out.get("data", {})
                shown = {"text/html", "image/svg+xml", "text/markdown", "image/png"} & set(data)
                if out.get("output_type") == "execute_result" and not shown:
                    bare.append((nb_path.name, i, data.get("text/plain", "")[:80]))
                if out.get("output_type") == "stream":
                    bare.append((nb_path.name, i, out.get("text", "")[:80]))
    assert not bare, bare
