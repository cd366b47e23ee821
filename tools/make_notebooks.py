"""Write the committed notebooks (without outputs) from the cell sources below.

Notebooks narrate; the library computes. Run `python tools/make_notebooks.py` after
editing a notebook's cells here (or edit in JupyterLab and strip outputs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]

SETUP = """\
from pathlib import Path

import warmcall as wc
from warmcall.present import charts, views
from warmcall.present.display import escape, html_table, pick_renderer, setup
from warmcall.present.history import metrics_history, write_metrics
from IPython.display import Markdown, display

setup(pick_renderer(renderer, batch=bool(output_dir)))
analysis = wc.analyse(params or params_file)
P = analysis.params
"""

PARAMS = """\
params_file: str = "../params/sample.yaml"  # YAML params set, see params/sample.yaml
params: dict = {}  # the validated params as a dict (the batch runner passes it; wins over params_file)
report_set: str = ""  # name of the report set (batch runs)
output_dir: str = ""  # folder for metrics.json in batch runs; empty: do not write
renderer: str = "auto"  # Altair renderer: auto (reports: inline Vega; live: svg), default, svg
"""


def overview() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    c = nbf.v4.new_code_cell
    m = nbf.v4.new_markdown_cell
    nb.cells = [
        m(
            "# Overview: does the follower count mean anything?\n\n"
            "For each platform and audience segment: how many followers there are, how many engaged "
            "in the window, how many relationships are two-way and how many are trusted, and whether a "
            "contact's own follower count predicts engagement or relationship quality."
        ),
        c(PARAMS, metadata={"tags": ["parameters"]}),
        c(SETUP),
        c(
            'display(Markdown(f"## {escape(P.title)}\\n\\n**{views.headline_sentence(analysis)}**\\n\\n"\n'
            '                 f"As of {analysis.as_of}; window: the {P.window_days} days ending that day.\\n\\n"\n'
            '                 f"{escape(views.activity_sentence(analysis))}"))'
        ),
        m(
            "### What your exports contain\n\nEach platform's export holds different things: an X "
            "archive holds what *you* did (replies, mentions, DMs) but not what others did to you; a "
            "Mastodon archive has no follower list. A figure that needs something an export does not "
            "carry is shown as *not in this export*, never as 0."
        ),
        c("display(html_table(views.exports_table(analysis)))"),
        m("### Since the last run"),
        c(
            "history = metrics_history(Path(output_dir).parents[1], report_set) if output_dir else []\n"
            "change = views.change_table(views.metrics(analysis), history)\n"
            "display(Markdown(views.change_sentence(change)))\n"
            "if change.height:\n"
            "    display(html_table(change))"
        ),
        m(
            "<details><summary>Definitions</summary>\n\n"
            "- **followers**: the account's follower count from its latest snapshot (or, where the export "
            "has none, the number of contacts who follow it).\n"
            "- **engaged**: contacts with at least one inbound interaction in the window.\n"
            "- **reached**: contacts you engaged in the window (reply, mention, share, comment, like, DM, "
            "call, ...) with no inbound interaction from them in the window.\n"
            "- **two-way**: stage *conversant* or *trusted*: both directions in the window, DMs both ways, "
            "or a call, meeting or event in the last year.\n"
            "- **trusted**: a call, meeting or event in the last 365 days, or DMs both ways in the window.\n"
            "- **quality**: a 0–100 tie-strength score after Gilbert & Karahalios (2009): intensity, "
            "reciprocity, recency, duration, intimacy, multiplexity.\n</details>"
        ),
        m("## Per platform"),
        c(
            "display(html_table(views.platform_table(analysis)))\n"
            "display(Markdown(views.rate_definitions()))"
        ),
        c("charts.funnel(views.funnel_frame(analysis))"),
        c("charts.engagement_rates(views.rates_frame(analysis))"),
        m("## Per platform and segment"),
        c("display(html_table(views.segment_table(analysis), null=views.NOT_IN_EXPORT))"),
        m("## Does a contact's follower count predict engagement or quality?"),
        c(
            "display(Markdown(views.correlation_sentence(analysis)))\n"
            "display(html_table(views.correlations(analysis)))"
        ),
        c("charts.followers_vs_quality(views.heatmap_frame(analysis))"),
        m(
            "## Load accounting\n\nEvery input row is loaded, set aside with a reason (valid but not "
            "attributable to a person, such as likes whose author the export does not name), or "
            "rejected with a reason."
        ),
        c("display(html_table(analysis.workbook.report.summary(), max_rows=100))"),
        c("if output_dir:\n    write_metrics(output_dir, views.metrics(analysis))"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def audit() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    c = nbf.v4.new_code_cell
    m = nbf.v4.new_markdown_cell
    nb.cells = [
        m(
            "# Connection audit: who am I really connected to?\n\n"
            "Every contact ranked by relationship quality, with the reasons; the segments and the "
            "know–like–trust funnel; spam and mass-following accounts; the few contacts who carry "
            "your voice; and whether follower counts predict anything."
        ),
        c(PARAMS, metadata={"tags": ["parameters"]}),
        c(SETUP),
        c(
            'display(Markdown(f"## {escape(P.title)}: connection audit\\n\\n**{views.headline_sentence(analysis)}**"))'
        ),
        m(
            "## The strongest relationships\n\nQuality (0–100) is the weighted mean of six "
            "tie-strength dimensions after Gilbert & Karahalios (2009); each component is shown (0–1) "
            "so you can see why a score is what it is. Layers follow Dunbar's 5 / 15 / 50 / 150 / 500 / 1,500, "
            "filled only by live ties (an interaction in the last 365 days); the others are in no layer."
        ),
        c("display(html_table(views.ranked_contacts(analysis, limit=50)))"),
        m("## Communication groups: segment × stage"),
        c("display(html_table(views.segment_stage_matrix(analysis)))"),
        c("charts.stage_funnel(views.stage_counts(analysis))"),
        m(
            "## Audience hygiene\n\nLikely spam or mass-following accounts, by the rules in the params "
            "file (mass-following, extreme following/followers ratio, spam keywords; or an empty bio "
            "together with a default-looking handle). Two-way contacts are never flagged."
        ),
        c("display(html_table(views.hygiene(analysis)))"),
        m(
            "### Follow-back suggestions\n\nFollowers you do not follow, not flagged, at least marginally "
            "relevant to your niche."
        ),
        c("display(html_table(views.follow_back(analysis)))"),
        m(
            "## Tiny but influential\n\nWarm contacts with large reach (top 10% of follower counts on "
            "their platform) or high relevance: few in number, worth more than thousands of silent followers."
        ),
        c("display(html_table(views.influential(analysis)))"),
        m(
            "### Reach: raw vs warm second-degree\n\nRaw reach sums the follower counts of your followers; "
            "warm reach sums those of contacts who engaged, converse or trust you."
        ),
        c("display(html_table(views.reach_frame(analysis)))"),
        m("## Concentration of engagement"),
        c(
            "conc, lorenz_frame = views.engagement_concentration(analysis)\n"
            "display(Markdown(views.concentration_sentence(conc)))\n"
            "display(html_table(conc))"
        ),
        c("charts.lorenz(lorenz_frame)"),
        m(
            "## Does follower count predict engagement or quality?\n\nSpearman rank correlation with a "
            'bootstrap 95% CI (as in Cha et al. 2010, the "million follower fallacy": followers vs '
            "retweets ρ = 0.55 over all users, 0.12 in the top 10%)."
        ),
        c(
            "corr = views.correlations_by_segment(analysis)\n"
            "display(Markdown(views.correlation_reading(corr)))\n"
            "display(html_table(corr))"
        ),
        c("charts.followers_vs_quality(views.heatmap_frame(analysis))"),
        m(
            "### Across accounts\n\nFollowers vs average engagement and vs engagement rate (by followers), "
            "when the workbook holds several accounts or a panel (influencer list, competitor benchmark)."
        ),
        c("display(html_table(views.panel_correlations(analysis)))"),
        m(
            "## Cross-platform identities\n\nPeople recognised on several platforms (from identities.csv, "
            "or automatic conservative matching), with the evidence."
        ),
        c("display(html_table(analysis.identity_evidence, max_rows=30))"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _nb(cells: list) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    nb.cells = cells
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def outreach() -> nbf.NotebookNode:
    c = nbf.v4.new_code_cell
    m = nbf.v4.new_markdown_cell
    return _nb(
        [
            m(
                "# Outreach: who to call this week, and why\n\n"
                "A short list of people to call, a few a day, chosen by a stated policy. warmcall never "
                "contacts anyone itself: it writes `plan.csv` and `plan.ics` for your calendar."
            ),
            c(PARAMS, metadata={"tags": ["parameters"]}),
            c(
                SETUP + "import polars as pl\n"
                "from warmcall.core.outputs import write_csv_safe, write_ics\n"
            ),
            c(
                'display(Markdown(f"## {escape(P.title)}: outreach\\n\\n**{views.headline_sentence(analysis)}**"))'
            ),
            m(
                "## The policy\n\n"
                "A mix, alternating, of **fading ties** (quality at least `outreach.min_quality`, no "
                "interaction either way for `outreach.fading_after_days` days or more; the strongest first) "
                "and **promising weaker ties** (not yet two-way, but engaging with you, reached by you and "
                "following you back, relevant to your niche, or with a large audience; those who already "
                "interact with you first). Moderately weak ties did the most for job "
                "mobility in Rajkumar et al. (2022, *Science*). Never a flagged (spam-like) contact, nobody "
                "contacted within the cool-down, nobody twice, one person once even across platforms. "
                "Working days only."
            ),
            c(
                "result = views.outreach_plan(analysis)\n"
                "o = P.outreach\n"
                'display(Markdown(f"**{result.plan.height} calls** from {result.start} ({o.per_day} a day for '
                "{o.days} working days, {o.slot_minutes}-minute slots from {escape(o.start_time)} "
                '{escape(o.timezone)})." + (f" {escape(result.note)}" if result.note else "")))\n'
                "display(html_table(views.plan_table(result.plan), max_rows=100))"
            ),
            c(
                "if output_dir:\n"
                '    write_csv_safe(result.plan, Path(output_dir) / "plan.csv")\n'
                '    write_ics(result.plan, Path(output_dir) / "plan.ics", calendar_name=f"{P.title}: calls", as_of=analysis.as_of)\n'
                '    views.stages_snapshot(analysis).write_parquet(Path(output_dir) / "stages.parquet")\n'
                '    display(Markdown("The plan is saved beside this report as `plan.csv` and `plan.ics`."))'
            ),
            m(
                "## Follow-through since the last run\n\nPlanned vs logged: did an outbound contact "
                "happen on or after each planned day?"
            ),
            c(
                "from warmcall.present.history import previous_artifact\n"
                "root = Path(output_dir).parents[1] if output_dir else None\n"
                'prev_plan_file = previous_artifact(root, report_set, analysis.as_of.isoformat(), "plan.csv") if root else None\n'
                "prev_plan = pl.read_csv(prev_plan_file, infer_schema=False) if prev_plan_file else None\n"
                "ft = views.follow_through(analysis, prev_plan)\n"
                "display(Markdown(views.follow_through_sentence(ft)))\n"
                "if ft.height:\n"
                "    display(html_table(ft))"
            ),
            m("## Who moved stage since the last run"),
            c(
                'prev_stages_file = previous_artifact(root, report_set, analysis.as_of.isoformat(), "stages.parquet") if root else None\n'
                "moves = views.stage_moves(analysis, pl.read_parquet(prev_stages_file) if prev_stages_file else None)\n"
                'display(Markdown("No earlier run to compare with yet." if prev_stages_file is None else f"{moves.height} contacts changed stage."))\n'
                "if moves.height:\n"
                "    display(html_table(moves))"
            ),
        ]
    )


WHATIF_PARAMS = (
    PARAMS
    + """\
half_life_days: float = 0  # what-if: recency half-life; 0 = the params value
min_quality: int = 20  # what-if: ignore followers below this quality
calls_per_day: int = 2  # what-if: outreach intensity
weeks: int = 4  # what-if: outreach duration
"""
)


def what_if() -> nbf.NotebookNode:
    c = nbf.v4.new_code_cell
    m = nbf.v4.new_markdown_cell
    return _nb(
        [
            m(
                "# What if? Re-weight, filter, prune and project\n\n"
                "Live in JupyterLab (`make lab`): move the controls and the summary and charts update. "
                "In a batch report, widgets cannot run, so the same computation is shown for the parameter "
                "values of this notebook."
            ),
            c(WHATIF_PARAMS, metadata={"tags": ["parameters"]}),
            c(SETUP + "from warmcall.present import whatif_view\n"),
            c(
                "# live JupyterLab: the widget panel; batch runs: a static snapshot, no widgets\n"
                "view = whatif_view.show(analysis, output_dir=output_dir, half_life_days=half_life_days,\n"
                "                        min_quality=min_quality, calls_per_day=calls_per_day, weeks=weeks)"
            ),
        ]
    )


NOTEBOOKS = {
    "01_overview.ipynb": overview,
    "02_audit.ipynb": audit,
    "03_outreach.ipynb": outreach,
    "04_what_if.ipynb": what_if,
}


def main(argv: list[str]) -> int:
    out = ROOT / "notebooks"
    for name, build in NOTEBOOKS.items():
        if argv and name not in argv:
            continue
        nb = build()
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{name.split('_')[0]}-{i:02d}"
        nbf.validate(nb)
        nbf.write(nb, out / name)
        print(f"wrote notebooks/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
