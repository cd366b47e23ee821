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
# # Overview: does the follower count mean anything?
#
# For each platform and audience segment: how many followers there are, how many engaged in the window, how many relationships are two-way and how many are trusted, and whether a contact's own follower count predicts engagement or relationship quality.

# %% tags=["parameters"]
params_file: str = "../params/sample.yaml"  # YAML params set, see params/sample.yaml
params: dict = {}  # the validated params as a dict (the batch runner passes it; wins over params_file)
report_set: str = ""  # name of the report set (batch runs)
output_dir: str = ""  # folder for metrics.json in batch runs; empty: do not write
renderer: str = "auto"  # Altair renderer: auto (static SVG figures), static, svg, default

# %%
import warmcall as wc
from IPython.display import HTML, Markdown, display
from warmcall.present import cards, charts, history, overview
from warmcall.present.datafiles import data_list_html, save_table
from warmcall.present.display import escape, html_table, pick_renderer, setup

setup(pick_renderer(renderer, batch=bool(output_dir)))
analysis = wc.analyse(params or params_file)
P = analysis.params
data = {}  # title -> link of each table saved in full beside the report (the Data list)

# %%
display(
    Markdown(
        f"## {escape(P.title)}\n\n**{overview.headline_sentence(analysis)}**\n\n"
        f"As of {analysis.as_of}; window: the {P.window_days} days ending that day.\n\n"
        f"{escape(overview.activity_sentence(analysis))}"
    )
)

# %%
current, previous = (
    overview.metrics(analysis),
    history.previous_metrics(analysis, output_dir, report_set),
)
display(
    HTML(
        cards.render(
            cards.overview_cards(current, previous), cards.overview_meaning(current, previous)
        )
    )
)

# %% [markdown]
# ### What your exports contain
#
# Each platform's export holds different things: an X archive holds what *you* did (replies, mentions, likes) and your messages both ways, but not others' likes, replies or reposts; a Mastodon archive has no follower list. A figure that needs something an export does not carry is shown as *not in this export*, never as 0.

# %%
exports = overview.exports_table(analysis)
data["What your exports contain"] = save_table(output_dir, "exports", exports)
display(html_table(exports, full=data["What your exports contain"]))

# %% [markdown]
# ### Since the last run

# %%
change = history.change_since_last_run(analysis, output_dir, report_set)
display(Markdown(overview.change_sentence(change)))
if change.height:
    display(html_table(change))

# %% [markdown]
# ### Who came and who left
#
# New followers and unfollowers, new and lost mutuals (you follow each other) since the previous run of this report set, from the follower lists of both runs.

# %%
came = history.changes_since_last_run(analysis, output_dir, report_set)
history.save_changes(came, output_dir)
history.save_snapshot(analysis, output_dir)  # for the next run
display(Markdown(escape(history.changes_sentence(came))))
for heading, people, link in history.changes_sections(came, output_dir):
    display(Markdown(f"**{escape(heading)}**"))
    display(html_table(people, 20, full=link, null="–"))

# %% [markdown]
# <details><summary>Definitions</summary>
#
# - **followers**: the account's follower count from its latest snapshot (or, where the export has none, the number of contacts who follow it).
# - **engaged**: contacts with at least one inbound interaction in the window.
# - **reached**: contacts you engaged in the window (reply, mention, share, comment, like, DM, call, ...) with no inbound interaction from them in the window.
# - **two-way**: stage *conversant* or *trusted*: both directions in the window, DMs both ways, or a call, meeting or event in the last year.
# - **trusted**: a call, meeting or event in the last 365 days, or DMs both ways in the window.
# - **quality**: a 0–100 tie-strength score after Gilbert & Karahalios (2009): intensity, reciprocity, recency, duration, intimacy, multiplexity.
# </details>

# %% [markdown]
# ## Per platform

# %%
data["Per platform"] = save_table(output_dir, "overview", analysis.overview)
display(html_table(overview.platform_table(analysis), full=data["Per platform"]))
display(Markdown(overview.rate_definitions()))

# %%
charts.funnel(overview.funnel_frame(analysis))

# %%
rates = overview.rates_frame(analysis)  # empty: no export gives a rate; say so, no empty chart
display(charts.engagement_rates(rates) if rates.height else Markdown(overview.no_rates_sentence()))

# %% [markdown]
# ## When your posts do best
#
# Engagement by weekday and hour of posting, in your timezone (`outreach.timezone`; UTC when unset): per impression where posts report impressions, else per follower. A weekday-hour with fewer than `report.min_posts_per_cell` posts is faded and never named as the best.

# %%
best = overview.best_time(analysis)
display(Markdown(escape(overview.best_time_sentence(best, P.report.min_posts_per_cell))))
if best.basis is not None:
    display(
        charts.best_time_heatmap(
            overview.best_time_frame(best, P.report.min_posts_per_cell),
            overview.best_time_title(best, P.report.min_posts_per_cell),
            overview.BASIS_LABEL[best.basis],
            best.timezone,
        )
    )

# %% [markdown]
# ## Analytics files
#
# Posts that report impressions (X analytics, LinkedIn's creator workbook), over all the
# files cover up to the as-of date, not only the window.

# %%
analytics = overview.analytics_table(analysis)
data["Analytics files"] = (
    save_table(output_dir, "analytics", analytics) if analytics.height else None
)
display(
    html_table(analytics, null=overview.NOT_IN_EXPORT, full=data["Analytics files"])
    if analytics.height
    else Markdown("No analytics files in these exports (impressions are not in this export).")
)

# %% [markdown]
# ## Per platform and segment

# %%
segments = overview.segment_table(analysis)
data["Per platform and segment"] = save_table(output_dir, "segments", segments)
display(html_table(segments, null=overview.NOT_IN_EXPORT, full=data["Per platform and segment"]))

# %% [markdown]
# ## Does a contact's follower count predict engagement or quality?

# %%
display(Markdown(overview.correlation_sentence(analysis)))
corr = overview.correlations(analysis)
data["Follower count vs engagement and quality"] = save_table(output_dir, "correlations", corr)
display(html_table(corr, full=data["Follower count vs engagement and quality"]))

# %%
charts.followers_vs_quality(overview.heatmap_frame(analysis))

# %% [markdown]
# ## Load accounting
#
# Every input row is loaded, set aside with a reason (valid but not attributable to a person, such as likes whose author the export does not name), or rejected with a reason.

# %%
accounting = analysis.workbook.report.summary()
data["Load accounting"] = save_table(output_dir, "load_accounting", accounting)
display(html_table(accounting, max_rows=100, full=data["Load accounting"]))

# %%
_ = history.save_metrics(analysis, output_dir)  # the path is not for the reader

# %% [markdown]
# ## Data

# %%
display(HTML(data_list_html(data)))
