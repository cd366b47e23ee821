# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -papermill,-execution,-ExecuteTime
#     notebook_metadata_filter: -papermill,-widgets,-language_info
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Outreach: who to call this week, and why
#
# A short list of people to call, a few a day, chosen by a stated policy. warmcall never contacts anyone itself: it writes `plan.csv`, `plan.ics` for your calendar and `plan.vcf` for your address book.

# %% tags=["parameters"]
params_file: str = "../params/sample.yaml"  # YAML params set, see params/sample.yaml
params: dict = {}  # the validated params as a dict (the batch runner passes it; wins over params_file)
report_set: str = ""  # name of the report set (batch runs)
output_dir: str = ""  # folder for metrics.json in batch runs; empty: do not write
renderer: str = "auto"  # Altair renderer: auto (static SVG figures), static, svg, default

# %%
import warmcall as wc
from IPython.display import HTML, Markdown, display
from warmcall.present import cards, datafiles, history, outreach, overview
from warmcall.present.datafiles import data_list_html, save_table
from warmcall.present.display import escape, html_table, pick_renderer, setup

setup(pick_renderer(renderer, batch=bool(output_dir)))
analysis = wc.analyse(params or params_file)
P = analysis.params
data = {}  # title -> link of each table saved in full beside the report (the Data list)

# %%
display(Markdown(f"## {escape(P.title)}\n\n**{overview.headline_sentence(analysis)}**"))

# %%
result = outreach.outreach_plan(analysis)
ft = history.follow_through_since_last_run(analysis, output_dir, report_set)
came = history.changes_since_last_run(analysis, output_dir, report_set)
up = came.counts()["warmed up"]
display(
    HTML(
        cards.render(
            cards.outreach_cards(result.plan, ft, up, came.since),
            cards.outreach_meaning(result.plan, ft),
        )
    )
)

# %% [markdown]
# ## The policy
#
# A mix, alternating, of **fading ties** (quality at least `outreach.min_quality`, no interaction either way for `outreach.fading_after_days` days or more; the strongest first) and **promising weaker ties** (not yet two-way, but engaging with you, reached by you and following you back, relevant to your niche, or with a large audience; those who already interact with you first). Moderately weak ties did the most for job mobility in Rajkumar et al. (2022, *Science*). Never a flagged (spam-like) contact, nobody contacted within the cool-down, nobody twice, one person once even across platforms. Working days only.

# %%
display(Markdown(outreach.plan_sentence(result, P.outreach)))
plan = outreach.plan_table(result.plan)
data["This week's plan"] = save_table(output_dir, "outreach_plan", plan)
display(html_table(plan, max_rows=100, full=data["This week's plan"]))

# %% [markdown]
# ## Keep in touch: who is overdue
#
# A person is overdue when they have been silent, in either direction, longer than their cadence: the `cadence_days` of their row in `people.csv` (params `people`), else their stage's `outreach.cadence_days`. Overdue by = days since the last interaction − cadence.

# %%
overdue = outreach.overdue_list(analysis)
set_aside = outreach.people_set_aside(analysis)
display(Markdown(outreach.overdue_sentence(overdue, analysis, set_aside)))
link = data["Overdue"] = datafiles.save_table(
    output_dir, "overdue", outreach.overdue_table(overdue)
)
if overdue.height:
    display(html_table(outreach.overdue_table(overdue), max_rows=50, full=link))
if set_aside is not None and set_aside.height:
    display(html_table(set_aside))
if link:
    display(Markdown(f"The whole list is saved beside this report: [{link}]({link})."))

# %%
if history.save_plan(analysis, result, output_dir):
    display(
        Markdown(
            "The plan is saved beside this report as `plan.csv`, `plan.ics` (calendar) and `plan.vcf` (address book)."
        )
    )

# %% [markdown]
# ## Follow-through since the last run
#
# Planned vs logged: did an outbound contact happen on or after each planned day?

# %%
display(Markdown(outreach.follow_through_sentence(ft)))
if ft.height:
    data["Follow-through"] = save_table(output_dir, "follow_through", ft)
    display(html_table(ft, full=data["Follow-through"]))

# %% [markdown]
# ## Who moved stage since the last run

# %%
moves = history.stage_moves_since_last_run(analysis, output_dir, report_set)
display(Markdown(history.stage_moves_sentence(moves)))
if moves is not None and moves.height:
    data["Stage moves"] = save_table(output_dir, "stage_moves", moves)
    display(html_table(moves, full=data["Stage moves"]))

# %% [markdown]
# ## Data

# %%
display(HTML(data_list_html(data)))
