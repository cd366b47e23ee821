"""What each account's exports can show, and which figures therefore mean something.

Loaders declare the signals their export carries (``loaders.base.SIGNALS``, from the files
actually present: a LinkedIn export without ``messages.csv`` carries no messages). The rows
loaded show signals too (followers if any row says who follows you, inbound if any
interaction comes from others, and so on): an account carries the union of both, so formats
that declare nothing (canonical tables, a mapped CSV, a profiles file) still count.

A figure needs signals (``FIGURE_NEEDS``; "any of"): where an account's exports carry none
of them, the figure is null and shown as "not in this export" — never 0 (docs/metrics.md).
"""

from __future__ import annotations

import polars as pl

from warmcall.core.schema import CONTACT_KEY, SIGNALS
from warmcall.core.words import NOT_IN_EXPORT
from warmcall.ingest.workbook import Workbook

#: figure -> the signals of which at least one must be carried for the figure to be known.
FIGURE_NEEDS: dict[str, tuple[str, ...]] = {
    "followers": ("followers",),
    "following": ("following",),
    "engaged": ("inbound",),
    "aware": ("inbound",),
    "engaged_stage": ("inbound",),
    "conversant": ("inbound", "messages_in"),
    "two_way": ("inbound", "messages_in"),
    "trusted": ("inbound", "messages_in"),
    "reached": ("outbound", "messages_out"),
    "er_impressions": ("impressions",),
    "impressions": ("impressions",),
}

#: Why a figure is missing, by the signal the export lacks (for tables and metrics.json).
MISSING_WHY: dict[str, str] = {
    "followers": "the export has no follower list or follower count",
    "following": "the export has no list of accounts you follow",
    "inbound": "the export holds nothing others did to you (no replies, likes or messages from them)",
    "messages_in": "the export has no messages you received",
    "outbound": "the export has none of your own activity",
    "messages_out": "the export has no messages you sent",
    "impressions": "the export has no impressions (add the platform's analytics files)",
    "profiles": "the export has no profiles of your contacts",
}

LABELS = {
    "followers": "follower list or count", "following": "following list",
    "inbound": "engagement by others", "outbound": "your engagement with others",
    "messages_in": "messages received", "messages_out": "messages sent",
    "impressions": "post impressions", "profiles": "contact profiles",
}  # fmt: skip


def _derived(wb: Workbook) -> pl.DataFrame:
    """Signals shown by the loaded rows themselves: (account_id, platform, signal)."""
    parts = []
    c = wb.scan("connections")
    parts.append(
        c.group_by("account_id", "platform").agg(
            followers=pl.col("follows_me").is_not_null().any(),
            following=pl.col("i_follow").is_not_null().any(),
            profiles=pl.any_horizontal(
                pl.col(x).is_not_null().any() for x in ("display_name", "bio", "contact_followers")
            ),
        )
    )
    dm = pl.col("kind") == "dm"
    flags = {
        "inbound": ((pl.col("direction") == "in") & ~dm).any(),
        "outbound": ((pl.col("direction") == "out") & ~dm).any(),
        "messages_in": ((pl.col("direction") == "in") & dm).any(),
        "messages_out": ((pl.col("direction") == "out") & dm).any(),
    }
    keyed = wb.keyed_interactions()
    if keyed is None:
        parts.append(wb.scan("interactions").group_by("account_id", "platform").agg(**flags))
    else:  # per contact key first (integers), then per account: the same flags, 5× faster
        rows, keys = keyed
        per_contact = rows.group_by(CONTACT_KEY).agg(**flags).join(keys, on=CONTACT_KEY)
        parts.append(per_contact.group_by("account_id", "platform").agg(pl.col(list(flags)).any()))
    parts.append(
        wb.scan("posts")
        .group_by("account_id", "platform")
        .agg(impressions=pl.col("impressions").is_not_null().any())
    )
    parts.append(
        wb.scan("accounts")
        .group_by("account_id", "platform")
        .agg(followers=pl.col("followers").is_not_null().any())
    )
    long = [
        p.unpivot(index=["account_id", "platform"], variable_name="signal", value_name="on")
        .filter(pl.col("on"))
        .select("account_id", "platform", "signal")
        for p in parts
    ]
    return pl.concat(long).unique().collect()


def account_signals(wb: Workbook) -> pl.DataFrame:
    """One row per account (accounts seen in any table): ``account_id``, ``platform`` and a
    boolean column per signal in ``SIGNALS``: the signals its files declared, plus those its
    loaded rows show (a declaration covers an export whose list is empty; rows cover formats
    that declare nothing, such as a profiles file or a mapped CSV for the same account)."""
    declared = wb.signals.select("account_id", "platform", "signal")
    derived = _derived(wb)
    keyed = wb.keyed_interactions()
    scans = {t: wb.scan(t) for t in ("accounts", "connections", "interactions", "posts")}
    if keyed is not None:  # every contact of the interactions is in the key table
        scans["interactions"] = keyed[1]
    accts = pl.concat(
        [s.select("account_id", "platform").unique().collect() for s in scans.values()]
        + [declared.select("account_id", "platform")]
    ).unique()
    use = pl.concat([declared, derived], how="vertical").unique()
    wide = accts.join(
        use.with_columns(pl.lit(True).alias("on")).pivot(
            on="signal", index=["account_id", "platform"], values="on", aggregate_function="first"
        )
        if use.height
        else pl.DataFrame(schema={"account_id": pl.String, "platform": pl.String}),
        on=["account_id", "platform"],
        how="left",
    )
    for s in SIGNALS:
        if s not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Boolean).alias(s))
    return wide.select(
        "account_id", "platform", *[pl.col(s).fill_null(False) for s in SIGNALS]
    ).sort("account_id")


def with_signal_columns(df: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """``df`` (with ``account_id``) joined with the account's signals as boolean columns
    ``_sig_<signal>`` (False for an account with none)."""
    sig = signals.drop("platform").rename({s: f"_sig_{s}" for s in SIGNALS})
    return df.join(sig, on="account_id", how="left").with_columns(
        [pl.col(f"_sig_{s}").fill_null(False) for s in SIGNALS]
    )


def knowable(figure: str) -> pl.Expr:
    """True where the account's exports carry a signal ``figure`` needs (``FIGURE_NEEDS``);
    on a frame from ``with_signal_columns``."""
    needs = FIGURE_NEEDS.get(figure)
    if not needs:
        return pl.lit(True)
    return pl.any_horizontal([pl.col(f"_sig_{s}") for s in needs])


def mask_unknowable(df: pl.DataFrame, signals: pl.DataFrame, figures: list[str]) -> pl.DataFrame:
    """``df`` (one row per account_id) with each of ``figures`` set to null where the
    account's exports cannot show it."""
    j = with_signal_columns(df, signals)
    j = j.with_columns(
        [pl.when(knowable(f)).then(pl.col(f)).alias(f) for f in figures if f in j.columns]
    )
    return j.drop([f"_sig_{s}" for s in SIGNALS])


def why_missing(row: dict, figure: str) -> str | None:
    """The reason ``figure`` is not known for an account row of ``account_signals``
    (None when it is): "not in this export: <why>"."""
    needs = FIGURE_NEEDS.get(figure, ())
    if not needs or any(row.get(s) for s in needs):
        return None
    return f"{NOT_IN_EXPORT}: {MISSING_WHY[needs[0]]}"


def signals_table(signals: pl.DataFrame) -> pl.DataFrame:
    """ "What your exports contain": one row per account, a column per signal in words,
    "yes" or "no" (for the overview)."""
    return signals.select(
        "platform",
        "account_id",
        *[
            pl.when(pl.col(s)).then(pl.lit("yes")).otherwise(pl.lit("no")).alias(LABELS[s])
            for s in SIGNALS
        ],
    )
