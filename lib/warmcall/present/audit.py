"""The connection audit page (02): contacts ranked by quality, segment × stage, the stage
funnel, concentration of engagement, reach, hygiene, tiny-but-influential contacts,
follow-back suggestions and follower-count correlations per group and across accounts.
"""

from __future__ import annotations

import polars as pl

from warmcall.core.words import NOT_IN_EXPORT, count
from warmcall.model import followers, funnel, lists, reach, stats
from warmcall.model.links import profile_url
from warmcall.model.observability import knowable, with_signal_columns
from warmcall.model.pipeline import Analysis
from warmcall.present.overview import correlations

RANKED_COLS = (
    "platform", "handle", "display_name", "segment", "stage", "layer", "quality", "intensity",
    "reciprocity", "recency", "duration", "intimacy", "multiplexity", "relevance", "contact_followers",
    "days_since_last", "flags",
)  # fmt: skip


#: the ranked contacts as two tables that each fit a page: who they are, and why the score
RANKED_WHO = ("platform", "handle", "display_name", "segment", "stage", "layer", "quality",
              "relevance", "contact_followers", "days_since_last", "flags", "profile")  # fmt: skip
RANKED_WHY = ("handle", "quality", "intensity", "reciprocity", "recency", "duration", "intimacy",
              "multiplexity")  # fmt: skip


def ranked_contacts(a: Analysis, limit: int | None = 50) -> pl.DataFrame:
    """The top ``limit`` contacts by quality (every contact when None) with segment, stage,
    layer, flags and the components (unrounded: pages format them per column,
    ``present.columns``)."""
    # lazy: only the shown columns are sorted (not all 60 of 1M contacts' scores)
    s = a.scores.lazy().sort(["quality", "contact_id"], descending=[True, False])
    if limit is not None:
        s = s.head(limit)
    s = s.with_columns(profile_url("platform", "contact_id", "handle").alias("profile"))
    return (
        s.select(*RANKED_COLS, "profile")
        .with_columns(
            pl.col("flags").list.join(", "),
            pl.col("stage").cast(pl.String),
            pl.col("layer").cast(pl.String).fill_null("none"),
        )
        .collect()
    )


def segment_stage_matrix(a: Analysis) -> pl.DataFrame:
    """Contacts per segment (rows) and stage (columns): the "communication groups" view."""
    from warmcall.model.quality import STAGES

    m = a.scores.with_columns(pl.col("stage").cast(pl.String)).pivot(
        on="stage", index="segment", values="contact_id", aggregate_function="len"
    )
    for st in STAGES:
        if st not in m.columns:
            m = m.with_columns(pl.lit(0, pl.UInt32).alias(st))
    return m.select("segment", *STAGES).fill_null(0).sort("segment")


#: the figure (``observability.FIGURE_NEEDS``) each stage count depends on
STAGE_FIGURE = {"reached": "reached", "aware": "aware", "engaged": "engaged_stage",
                "conversant": "conversant", "trusted": "trusted"}  # fmt: skip


def stage_counts(a: Analysis) -> pl.DataFrame:
    """Long frame (platform, stage, contacts, at_or_beyond) for the stage funnel chart; every
    stage each account's exports can show (0 when no contact is there), none they cannot
    (an X archive cannot show who is 'aware' of you). ``at_or_beyond``: contacts at that
    stage or a later one (``funnel.at_or_beyond``)."""
    from warmcall.model.quality import STAGES

    counts = (
        a.scores.group_by("account_id", "platform", "stage")
        .agg(contacts=pl.len())
        .with_columns(pl.col("stage").cast(pl.String))
    )
    grid = (
        a.scores.select("account_id", "platform")
        .unique()
        .join(pl.DataFrame({"stage": list(STAGES)}), how="cross")
        .join(counts, on=["account_id", "platform", "stage"], how="left")
        .with_columns(pl.col("contacts").fill_null(0))
    )
    keep = pl.lit(True)
    for stage, fig in STAGE_FIGURE.items():
        keep = keep & ((pl.col("stage") != stage) | knowable(fig))
    return funnel.at_or_beyond(
        with_signal_columns(grid, a.signals)
        .filter(keep)
        .group_by("platform", "stage")
        .agg(pl.col("contacts").sum())
    )


def engagement_concentration(a: Analysis) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per platform: share of inbound engagement (window) from the top 1% and 10% of
    contacts, and the Gini coefficient; plus the shares of the top 10% / 20% / 50% of
    contacts (``stats.top_shares``) for all platforms together (platform "all platforms",
    first) and per platform. Only accounts whose exports show engagement by others
    (``observability``)."""
    s = (
        with_signal_columns(a.scores.select("account_id", "platform", "in_w"), a.signals)
        .filter(knowable("engaged"))
        .select("platform", pl.col("in_w").cast(pl.Float64).alias("engagement"))
    )
    shares = pl.concat(
        [
            stats.top_shares(s, "engagement").select(
                pl.lit("all platforms").alias("platform"), pl.all()
            ),
            stats.top_shares(s, "engagement", by=("platform",)),
        ]
    )
    return stats.concentration(s, "engagement", by=("platform",)), shares


def concentration_sentence(conc: pl.DataFrame) -> str:
    """Who carries the inbound engagement, per platform with any."""
    parts = [
        f"on {r['platform']} the top 1% of contacts gave {r['top1_share']:.0%} of inbound engagement "
        f"and the top 10% gave {r['top10_share']:.0%} (Gini {r['gini']:.2f})"
        for r in conc.iter_rows(named=True)
        if r["total"]
    ]
    if parts:
        return "Engagement is concentrated: " + "; ".join(parts) + "."
    if conc.height == 0:
        return (
            "Engagement by others is not in these exports (they have no likes, replies, mentions "
            "or reposts by others), so its concentration cannot be shown."
        )
    return "No inbound engagement in the window."


def reach_frame(a: Analysis) -> pl.DataFrame:
    return reach.reach_table(a.scores)


def influential(a: Analysis) -> pl.DataFrame:
    cols = [
        "platform",
        "handle",
        "display_name",
        "segment",
        "stage",
        "quality",
        "contact_followers",
        "relevance",
    ]
    return (
        reach.tiny_but_influential(a.scores, a.params.influence)
        .select(cols)
        .with_columns(pl.col("stage").cast(pl.String))
    )


def follow_back(a: Analysis, limit: int | None = 25) -> pl.DataFrame:
    """Follow-back suggestions, best first (``reach.follow_back``); all of them when
    ``limit`` is None."""
    cols = [
        "platform",
        "handle",
        "display_name",
        "bio",
        "relevance",
        "quality",
        "contact_followers",
    ]
    return reach.follow_back(a.scores, a.scores.height if limit is None else limit).select(cols)


def follow_back_note(a: Analysis, suggestions: pl.DataFrame) -> str | None:
    """The sentence shown instead of an empty follow-back table (None when there are
    suggestions): "not in this export" when no account's exports give both a follower list
    and a following list (``lists.knowledge``: a suggestion is a follower you do not
    follow), else that none of those followers passes the rule (``reach.follow_back``)."""
    if suggestions.height:
        return None
    known = lists.knowledge(a.scores, a.signals)
    both = known.filter(pl.col("follower_list") & pl.col("following_list"))  # never null
    if both.height == 0:
        return (
            f"Follow-back suggestions: {NOT_IN_EXPORT}: no export gives both a list of your "
            "followers and a list of the accounts you follow."
        )
    return (
        "No suggestions: no follower you do not follow back is both unflagged and relevant "
        "to your niche (keyword score above 0)."
    )


def hygiene(a: Analysis) -> pl.DataFrame:
    return reach.hygiene_table(a.scores, a.overview)


def correlations_by_segment(a: Analysis) -> pl.DataFrame:
    return correlations(a, by=("platform", "segment"))


def panel_correlations(a: Analysis) -> pl.DataFrame:
    """Across accounts (panel data or several own accounts): followers vs average engagement
    per post and vs engagement rate by followers (``followers.panel_correlations``). Needs
    at least 3 accounts with both."""
    return followers.panel_correlations(followers.account_panel(a.workbook.accounts, a.overview))


def correlation_reading(corr: pl.DataFrame) -> str:
    """Plain-language reading of a correlation table (rows with rho)."""
    known = corr.filter(pl.col("rho").is_not_null())
    if known.height == 0:
        return "Too few contacts with known follower counts to read anything."
    weak = known.filter(pl.col("rho").abs() < 0.3).height
    return (
        f"In {weak:,} of {count(known.height, 'comparison')} a contact's follower count has at most a weak rank "
        "correlation (|ρ| < 0.3) with how much they engage with you or how strong the tie is. "
        "Wide intervals mean small groups: read them as 'unknown', not as 'no effect'."
    )


# ------------------------------------------------------------------------------ the lists

#: Each list of ``model.lists``: its heading and its rule in a sentence (docs/metrics.md).
LIST_TEXT: dict[str, tuple[str, str]] = {
    "mutuals": ("Mutuals", "They follow you and you follow them."),
    "not_following_back": (
        "You follow them, they do not follow you back",
        "Accounts you follow that are not among your followers.",
    ),
    "not_followed_back_warm": (
        "They follow you, you do not follow back: worth a look",
        "Followers you do not follow whose relationship quality is at least "
        "outreach.min_quality: you decide whom to follow.",
    ),
    "not_followed_back_rest": (
        "They follow you, you do not follow back: the rest",
        "Followers you do not follow, with quality below outreach.min_quality.",
    ),
    "ghosts": (
        "Ghost followers",
        "Followers with no interaction either way in the last lists.ghost_days days who, "
        "where their profile shows posting activity, have not posted in that time either "
        "(last post before it, or no posts at all); with the hygiene flags their profiles "
        "raise.",
    ),
    "top_engagers": (
        "Top engagers",
        "Who engaged with you most in the window, weighted by kind (quality.kind_weights: "
        "a comment counts more than a like).",
    ),
}


def people_lists(a: Analysis) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """The lists and their status per account (``model.lists.analysis_lists``)."""
    from warmcall.model.lists import analysis_lists

    return analysis_lists(a)


def lists_overview(status: pl.DataFrame) -> pl.DataFrame:
    """People per list (columns) and account (rows); null where the account's export cannot
    show the list (shown as "not in this export")."""
    wide = status.pivot(
        on="list", index=["platform", "account_id"], values="people", aggregate_function="first"
    )
    names = [n for n in LIST_TEXT if n in wide.columns]
    return wide.select(
        "platform", "account_id", *[pl.col(n).alias(LIST_TEXT[n][0]) for n in names]
    ).sort("platform", "account_id")


def list_heading(name: str, people: pl.DataFrame, status: pl.DataFrame) -> str:
    """Markdown: the list's heading, its rule and the accounts whose exports cannot show it
    (with why); escaped, since account ids come from the data."""
    from warmcall.present.display import escape

    title, rule = LIST_TEXT[name]
    missing = status.filter((pl.col("list") == name) & pl.col("note").is_not_null())
    lines = [f"### {title}", "", f"{rule} {count(people.height, 'person', 'people')}."]
    if name == "ghosts" and people.height:
        lines[-1] += " " + ghost_posting_sentence(people)
    for r in missing.iter_rows(named=True):
        lines.append(f"\n{escape(r['account_id'])}: {escape(r['note'])}.")
    return "\n".join(lines)


def ghost_posting_sentence(ghosts: pl.DataFrame) -> str:
    """How many ghosts were judged by their profiles' posting activity and for how many it
    was not in the export (``model.lists.ghosts``, column ``posting``)."""
    from warmcall.model.lists import POSTING_UNKNOWN

    unknown = ghosts.filter(pl.col("posting") == POSTING_UNKNOWN).height
    n = ghosts.height
    if unknown == 0:
        who = "their profile shows" if n == 1 else "their profiles show"
        return f"Posting: {who} that {'they have' if n == 1 else 'all of them have'} stopped."
    if unknown == n:
        return (
            "Whether they still post is not in this export: the silence alone put "
            f"{'them' if n == 1 else 'all of them'} here."
        )
    return (
        f"Posting: their profiles show that {count(n - unknown, 'of them has', 'of them have')} "
        f"stopped; for the other {count(unknown, 'ghost')}, whether they still post is not "
        "in this export (the silence alone put them here)."
    )


def list_view(people: pl.DataFrame) -> pl.DataFrame:
    """A list as shown on the page: without the ids, the profile link as ``profile``."""
    return people.drop("account_id", "contact_id").rename({"profile_url": "profile"})


def save_list(a: Analysis, output_dir: str, name: str, people: pl.DataFrame) -> str:
    """Write the list beside the report (``data/<name>.csv`` + ``.parquet`` by
    ``datafiles.save_table``, everyone; ``data/<name>.vcf`` by ``vcards.save_list_vcf``, the
    first ``params.lists.vcard_max`` people in list order, none for an empty list) and return
    an HTML line linking them ("" without an output folder)."""
    from warmcall.present.datafiles import save_table
    from warmcall.present.display import escape
    from warmcall.present.vcards import save_list_vcf

    csv_link = save_table(output_dir, name, people)
    cap = a.params.lists.vcard_max
    carded = people.head(cap)
    vcf_link = (
        save_list_vcf(output_dir, name, carded, LIST_TEXT[name][0], a.params.redact)
        if carded.height
        else None
    )
    if not csv_link:
        return ""
    if people.height == 0:  # no "All 0 people"
        return f'<p class="wc-full">Nobody: <a href="{escape(csv_link)}">CSV</a> (the columns only)</p>'
    n = count(people.height, "person", "people")
    line = f'<p class="wc-full">All {escape(n)}: <a href="{escape(csv_link)}">CSV</a>'
    if vcf_link:
        label = "vCard" if carded.height == people.height else f"vCard (the first {cap:,})"
        line += f' · <a href="{escape(vcf_link)}">{label}</a>'
    return line + "</p>"
