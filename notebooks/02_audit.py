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
# # Connection audit: who am I really connected to?
#
# Every contact ranked by relationship quality, with the reasons; the segments and the know–like–trust funnel; spam and mass-following accounts; the few contacts who carry your voice; and whether follower counts predict anything.

# %% tags=["parameters"]
params_file: str = "../params/sample.yaml"  # YAML params set, see params/sample.yaml
params: dict = {}  # the validated params as a dict (the batch runner passes it; wins over params_file)
report_set: str = ""  # name of the report set (batch runs)
output_dir: str = ""  # folder for metrics.json in batch runs; empty: do not write
renderer: str = "auto"  # Altair renderer: auto (static SVG figures), static, svg, default

# %%
import warmcall as wc
from IPython.display import HTML, Markdown, display
from warmcall.present import audit, cards, charts, history, overview
from warmcall.present.datafiles import data_list_html, save_table, table_link
from warmcall.present.display import escape, html_table, pick_renderer, setup

setup(pick_renderer(renderer, batch=bool(output_dir)))
analysis = wc.analyse(params or params_file)
P = analysis.params
data = {
    "Every contact with all scores": save_table(output_dir, "scores", analysis.scores)
}  # the Data list

# %%
display(Markdown(f"## {escape(P.title)}\n\n**{overview.headline_sentence(analysis)}**"))

# %%
previous = history.previous_metrics(analysis, output_dir, report_set)
display(HTML(cards.render(cards.audit_cards(analysis, previous), cards.audit_meaning(analysis))))

# %% [markdown]
# ## The strongest relationships
#
# Quality (0–100) is the weighted mean of six tie-strength dimensions after Gilbert & Karahalios (2009); each component is shown (0–1) so you can see why a score is what it is. Layers follow Dunbar's 5 / 15 / 50 / 150 / 500 / 1,500, filled only by live ties (an interaction in the last 365 days); the others are in no layer.

# %%
ranked = audit.ranked_contacts(analysis, limit=None)
data["Contacts ranked by quality"] = save_table(output_dir, "contacts_ranked", ranked)
display(
    html_table(
        ranked.select(audit.RANKED_WHO),
        max_rows=50,
        rank=True,
        full=data["Contacts ranked by quality"],
    )
)

# %% [markdown]
# Why each score is what it is: the six components (0–1), same order.

# %%
display(
    html_table(
        ranked.select(audit.RANKED_WHY),
        max_rows=50,
        rank=True,
        full=data["Contacts ranked by quality"],
    )
)

# %% [markdown]
# ## Communication groups: segment × stage

# %%
matrix = audit.segment_stage_matrix(analysis)
data["Segment × stage"] = save_table(output_dir, "segment_stage", matrix)
display(html_table(matrix, full=data["Segment × stage"]))

# %%
charts.stage_funnel(audit.stage_counts(analysis))

# %% [markdown]
# ## Audience hygiene
#
# Likely spam or mass-following accounts, by the rules in the params file (mass-following, extreme following/followers ratio, spam keywords; or an empty bio together with a default-looking handle). Two-way contacts are never flagged.

# %%
hygiene = audit.hygiene(analysis)
data["Audience hygiene"] = save_table(output_dir, "hygiene", hygiene)
display(html_table(hygiene, null=overview.NOT_IN_EXPORT, full=data["Audience hygiene"]))

# %% [markdown]
# ### Follow-back suggestions
#
# Followers you do not follow, not flagged, at least marginally relevant to your niche.

# %%
follow_back = audit.follow_back(analysis, limit=None)
data["Follow-back suggestions"] = save_table(output_dir, "follow_back", follow_back)
if (note := audit.follow_back_note(analysis, follow_back)) is not None:
    display(Markdown(note))
else:
    display(html_table(follow_back, max_rows=25, rank=True, full=data["Follow-back suggestions"]))

# %% [markdown]
# ## Lists: mutuals, follow-backs, ghosts, top engagers
#
# Who is in each list, per account; every list is also a CSV and a vCard file beside this page. Where an export cannot show a list (no follower list, or none of what others did), it says "not in this export".

# %%
lists, list_status = audit.people_lists(analysis)
display(html_table(audit.lists_overview(list_status), null="not in this export"))

# %%
for name, people in lists.items():
    display(Markdown(audit.list_heading(name, people, list_status)))
    files = audit.save_list(analysis, output_dir, name, people)
    data[audit.LIST_TEXT[name][0]] = table_link(output_dir, name)
    display(html_table(audit.list_view(people), max_rows=15, full=data[audit.LIST_TEXT[name][0]]))
    display(HTML(files))

# %% [markdown]
# ## Tiny but influential
#
# Warm contacts with large reach (top 10% of follower counts on their platform) or high relevance: few in number, worth more than thousands of silent followers.

# %%
influential = audit.influential(analysis)
data["Tiny but influential"] = save_table(output_dir, "influential", influential)
display(html_table(influential, full=data["Tiny but influential"]))

# %% [markdown]
# ### Reach: raw vs warm second-degree
#
# Raw reach sums the follower counts of your followers; warm reach sums those of contacts who engaged, converse or trust you.

# %%
reach = audit.reach_frame(analysis)
data["Reach"] = save_table(output_dir, "reach", reach)
display(html_table(reach, full=data["Reach"]))

# %% [markdown]
# ## Concentration of engagement

# %%
conc, shares = audit.engagement_concentration(analysis)
display(Markdown(audit.concentration_sentence(conc)))
data["Concentration of engagement"] = save_table(output_dir, "concentration", conc)
display(html_table(conc, full=data["Concentration of engagement"]))

# %%
charts.top_shares(shares)

# %% [markdown]
# ## Does follower count predict engagement or quality?
#
# Spearman rank correlation with a bootstrap 95% CI (as in Cha et al. 2010, the "million follower fallacy": followers vs retweets ρ = 0.55 over all users, 0.12 in the top 10%).

# %%
corr = audit.correlations_by_segment(analysis)
display(Markdown(audit.correlation_reading(corr)))
data["Correlations per group"] = save_table(output_dir, "correlations_by_segment", corr)
display(html_table(corr, full=data["Correlations per group"]))

# %%
charts.followers_vs_quality(overview.heatmap_frame(analysis))

# %% [markdown]
# ### Across accounts
#
# Followers vs average engagement and vs engagement rate (by followers), when the workbook holds several accounts or a panel (influencer list, competitor benchmark).

# %%
panel = audit.panel_correlations(analysis)
data["Across accounts"] = save_table(output_dir, "panel_correlations", panel)
display(html_table(panel, full=data["Across accounts"]))

# %% [markdown]
# ## Cross-platform identities
#
# People recognised on several platforms (from identities.csv, or automatic conservative matching), with the evidence.

# %%
data["Cross-platform identities"] = save_table(output_dir, "identities", analysis.identity_evidence)
display(html_table(analysis.identity_evidence, max_rows=30, full=data["Cross-platform identities"]))

# %% [markdown]
# ## Data

# %%
display(HTML(data_list_html(data)))
