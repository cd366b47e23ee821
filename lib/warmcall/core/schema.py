"""Canonical tables (the public contract of docs/architecture.md) and their validator.

Every loader produces *candidate* frames: any subset of a table's canonical columns plus
two bookkeeping columns, ``_file`` (the display path of the input file) and ``_line`` (the
line or record number in it), and optionally ``_dupkey`` (text: the record's own identity
in its export, e.g. a message id, an endorsed skill, a share's URL and media URL, or the
whole raw row where the export has no id). ``validate`` casts them to the canonical dtypes and returns
every row it cannot accept with a reason; ``finalize`` (in ``warmcall.ingest.accounting``) turns the
bookkeeping into the ``source`` column and the per-file load report.

Reject reasons (first failing rule wins): missing id, unknown platform / kind / direction,
unparsable or implausible timestamp, a count that is not a whole number or is negative,
an exact duplicate of an earlier row (all canonical columns equal except ``source``, and
the same ``_dupkey`` when the frame has one: two different events in the same second are
not duplicates, a repeated record is).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from warmcall.core.chunks import aligned

TS = pl.Datetime("us", "UTC")

PLATFORMS = (
    "x", "linkedin", "instagram", "facebook", "mastodon", "bluesky", "threads", "tiktok",
    "youtube", "newsletter", "other",
)  # fmt: skip
KINDS = (
    "like", "reaction", "comment", "reply", "mention", "share", "dm", "call", "meeting",
    "email", "event", "endorsement", "invitation", "other",
)  # fmt: skip
DIRECTIONS = ("in", "out")

ACCOUNTS: dict[str, pl.DataType] = {
    "account_id": pl.String(), "platform": pl.String(), "handle": pl.String(),
    "display_name": pl.String(), "snapshot_date": pl.Date(), "followers": pl.Int64(),
    "following": pl.Int64(), "posts_count": pl.Int64(), "avg_likes": pl.Float64(),
    "avg_comments": pl.Float64(), "engagement_rate": pl.Float64(),
}  # fmt: skip
CONNECTIONS: dict[str, pl.DataType] = {
    "account_id": pl.String(), "platform": pl.String(), "contact_id": pl.String(),
    "handle": pl.String(), "display_name": pl.String(), "bio": pl.String(),
    "company": pl.String(), "position": pl.String(), "location": pl.String(),
    "contact_followers": pl.Int64(), "contact_following": pl.Int64(),
    "contact_posts": pl.Int64(), "contact_last_post_at": TS,
    "follows_me": pl.Boolean(), "i_follow": pl.Boolean(), "connected_at": TS,
    "person_id": pl.String(), "source": pl.String(),
}  # fmt: skip
INTERACTIONS: dict[str, pl.DataType] = {
    "account_id": pl.String(), "platform": pl.String(), "contact_id": pl.String(), "ts": TS,
    "kind": pl.String(), "direction": pl.String(), "post_id": pl.String(), "source": pl.String(),
}  # fmt: skip
POSTS: dict[str, pl.DataType] = {
    "account_id": pl.String(), "platform": pl.String(), "post_id": pl.String(), "ts": TS,
    "text": pl.String(), "is_repost": pl.Boolean(), "impressions": pl.Int64(),
    "reach": pl.Int64(), "likes": pl.Int64(), "comments": pl.Int64(), "shares": pl.Int64(),
    "saves": pl.Int64(), "clicks": pl.Int64(), "engagements": pl.Int64(), "source": pl.String(),
}  # fmt: skip

#: What an export can show (per account). A figure that needs a signal the export does not
#: carry is "not in this export", never 0.
#: - followers: the list of people who follow you (or your follower total, for analytics)
#: - following: the list of people you follow
#: - inbound: engagement by others with you (likes, comments, replies, mentions, shares)
#: - outbound: your engagement with others (replies, mentions, reposts, comments, likes)
#: - messages_in / messages_out: private messages received / sent
#: - impressions: post impressions (analytics)
#: - profiles: contacts' names, follower counts or bios
SIGNALS = (
    "followers", "following", "inbound", "outbound", "messages_in", "messages_out",
    "impressions", "profiles",
)  # fmt: skip

#: The key of a contact in features and in the table cache; ``CONTACT_KEY`` names the dense
#: integer that stands for the three (``model.features.contact_features``).
KEYS = ("account_id", "platform", "contact_id")
CONTACT_KEY = "_ck"

TABLES: dict[str, dict[str, pl.DataType]] = {
    "accounts": ACCOUNTS,
    "connections": CONNECTIONS,
    "interactions": INTERACTIONS,
    "posts": POSTS,
}
# Columns that must be present (non-null) for a row to be usable.
REQUIRED: dict[str, tuple[str, ...]] = {
    "accounts": ("account_id", "platform"),
    "connections": ("account_id", "platform", "contact_id"),
    "interactions": ("account_id", "platform", "contact_id", "ts", "kind", "direction"),
    "posts": ("account_id", "platform", "post_id", "ts"),
}
# Columns that a duplicate check ignores (bookkeeping).
BOOKKEEPING = ("source", "_file", "_line")
#: Optional bookkeeping column: the record's source identity; when present, exact duplicates
#: are judged on the canonical columns plus this one. Dropped from the accepted output.
DUPKEY = "_dupkey"
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)


def empty(table: str) -> pl.DataFrame:
    """An empty frame with the canonical columns and dtypes of ``table``."""
    return pl.DataFrame(schema=TABLES[table])


def canonical_columns(table: str, with_source: bool = True) -> list[str]:
    cols = list(TABLES[table])
    return cols if with_source else [c for c in cols if c != "source"]


def parse_iso_datetime(col: str | pl.Expr) -> pl.Expr:
    """Parse ISO-8601 text (``2026-11-02T09:30:00Z``, with offset, with or without
    seconds/fraction, or a bare date) to a UTC datetime; offsets are converted to UTC and
    naive values are taken as UTC. Unparsable text gives null."""
    e = pl.col(col) if isinstance(col, str) else col
    e = e.str.strip_chars().str.replace(r"Z$", "+00:00")
    tries = []
    for fmt in ISO_FORMATS:
        parsed = e.str.to_datetime(fmt, strict=False, time_unit="us")
        if "%#z" in fmt:
            parsed = parsed.dt.convert_time_zone("UTC")
        else:
            parsed = parsed.dt.replace_time_zone("UTC")
        tries.append(parsed)
    return pl.coalesce(tries)


def _bool_from_text(col: str) -> pl.Expr:
    t = pl.col(col).cast(pl.String).str.strip_chars().str.to_lowercase()
    return (
        pl.when(t.is_in(["true", "t", "yes", "y", "1"]))
        .then(True)
        .when(t.is_in(["false", "f", "no", "n", "0"]))
        .then(False)
        .otherwise(None)
    )


def validate(table: str, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cast a candidate frame to ``table``'s canonical dtypes and split off rejects.

    Returns ``(accepted, rejects)``. ``accepted`` has the canonical columns (without
    ``source``) plus ``_file``/``_line`` (``_dupkey``, if given, is used for the duplicate
    rule and dropped); ``rejects`` has ``_file``, ``_line``, ``table``,
    ``reason``. ``len(accepted) + len(rejects) == len(df)`` always.

    Text in a datetime column is parsed as ISO-8601 (loaders of other formats parse their
    own timestamps first); text in a count column must be a whole number; text in a boolean
    column must be true/false/yes/no/1/0. A value that is present but fails to cast is a
    reject, never a silent null.

    Speed: every rule is first evaluated as a boolean; reasons (text) are built only for the
    rows that fail. Exact duplicates are looked for only among rows whose timestamp occurs
    more than once (a duplicate shares every column, so also ``ts``).
    """
    schema = TABLES[table]
    if "_file" not in df.columns:
        df = df.with_columns(_file=pl.lit("<memory>"))
    if "_line" not in df.columns:
        df = df.with_row_index("_line", offset=1)
    bookkeeping = (("_line", pl.Int64), ("_file", pl.String))
    fix = [pl.col(c).cast(t) for c, t in bookkeeping if df.schema[c] != t]
    if fix:
        df = df.with_columns(fix)
    has_key = DUPKEY in df.columns
    if has_key and df.schema[DUPKEY] != pl.String:
        df = df.with_columns(pl.col(DUPKEY).cast(pl.String))
    unknown = [c for c in df.columns if c not in schema and c not in (*BOOKKEEPING, DUPKEY)]
    df = df.drop(unknown)
    cols = [c for c in schema if c != "source"]
    missing = [c for c in cols if c not in df.columns]
    df = aligned(df.with_columns([pl.lit(None, dtype=schema[c]).alias(c) for c in missing]))

    casts: list[pl.Expr] = []
    problems: list[tuple[pl.Expr, str]] = []  # (cast failed, reason), in column order
    for c in cols:
        want = schema[c]
        have = df.schema[c]
        if have == want:
            continue
        raw_present = pl.col(c).is_not_null()
        if have == pl.String:
            raw_present = raw_present & (pl.col(c).str.strip_chars() != "")
        if isinstance(want, pl.Datetime):
            if have == pl.String:
                cast = parse_iso_datetime(c)
            elif isinstance(have, pl.Datetime):
                cast = (
                    pl.col(c).dt.convert_time_zone("UTC")
                    if have.time_zone
                    else pl.col(c).dt.replace_time_zone("UTC")
                ).dt.cast_time_unit("us")
            elif have == pl.Date:
                cast = pl.col(c).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
            else:
                cast = pl.lit(None, dtype=want)
            why = f"unparsable timestamp in {c}"
        elif want == pl.Date:
            if have == pl.String:
                cast = parse_iso_datetime(c).dt.date()
            else:
                cast = pl.col(c).cast(pl.Date, strict=False)
            why = f"unparsable date in {c}"
        elif want == pl.Int64:
            if have == pl.String:
                # exact integers first; "15.0" (float-formatted counts) through Float64, but
                # only below 2**53 where a float still holds every integer exactly
                txt = pl.col(c).str.strip_chars()
                as_f = txt.cast(pl.Float64, strict=False)
                cast = pl.coalesce(
                    txt.cast(pl.Int64, strict=False),
                    pl.when((as_f == as_f.floor()) & (as_f.abs() < 2.0**53)).then(
                        as_f.cast(pl.Int64, strict=False)
                    ),
                )
            elif have.is_float():
                cast = pl.when(pl.col(c) == pl.col(c).floor()).then(
                    pl.col(c).cast(pl.Int64, strict=False)
                )
            else:
                cast = pl.col(c).cast(pl.Int64, strict=False)
            why = f"not a whole number in {c}"
        elif want == pl.Float64:
            cast = pl.col(c).cast(pl.Float64, strict=False)
            why = f"not a number in {c}"
        elif want == pl.Boolean:
            cast = _bool_from_text(c) if have == pl.String else pl.col(c).cast(pl.Boolean)
            why = f"not a boolean in {c}"
        else:  # String
            cast = pl.col(c).cast(pl.String)
            why = f"cannot read {c} as text"
        casts.append(cast.alias(c))
        problems.append(((raw_present & cast.is_null()).fill_null(False), why))
    # one pass: cast failures (on the raw values) and the casts themselves
    df = df.with_columns(*[e.alias(f"_cast_bad{i}") for i, (e, _) in enumerate(problems)], *casts)
    # Text columns: empty (or blank) string means unknown. A blank value is empty or starts
    # with white space: below "!" or from U+0085 on, so a column whose smallest value is ≥ "!"
    # and largest < U+0085 has none (min/max are cheap; strip_chars on every row is not).
    # (a column with a vocabulary is left as it is: a blank value is not in the vocabulary,
    # so the row fails anyway, and its reason says "missing", as for null: ``reason_only``)
    vocab = _vocabularies(table)
    text = [c for c in cols if schema[c] == pl.String and c not in vocab]
    lows = [pl.col(c).min().alias(f"{c}:min") for c in text]
    highs = [pl.col(c).max().alias(f"{c}:max") for c in text]
    bounds = df.select(lows + highs).row(0, named=True) if df.height else {}
    maybe_blank = [
        c
        for c in text
        if (bounds.get(f"{c}:min") is not None and bounds[f"{c}:min"] < "!")
        or (bounds.get(f"{c}:max") is not None and bounds[f"{c}:max"] >= "\u0085")
    ]
    df = df.with_columns(
        [
            pl.when(pl.col(c).str.strip_chars() == "").then(None).otherwise(pl.col(c)).alias(c)
            for c in maybe_blank
        ]
    )

    now = datetime.now(UTC) + timedelta(days=1)
    # (failure test, reason): the first that holds is the row's reason; a blank value of a
    # column with a vocabulary (kept as it is) fails its vocabulary rule, and its reason
    # says "missing", as for null (``reason_only``: tested on the failed rows only)
    rules: list[tuple[pl.Expr, pl.Expr]] = [
        (pl.col(f"_cast_bad{i}"), pl.lit(why)) for i, (_, why) in enumerate(problems)
    ]
    reason_only: dict[int, pl.Expr] = {}
    for c in REQUIRED[table]:
        if c in vocab:
            reason_only[len(rules)] = pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")
        rules.append((pl.col(c).is_null(), pl.lit(f"missing {c}")))
    rules += [
        (~pl.col(c).is_in(words), pl.format(f"unknown {c} '{{}}'", pl.col(c)))
        for c, words in vocab.items()
    ]
    for c, dt in schema.items():
        if isinstance(dt, pl.Datetime):
            rules.append(
                (
                    (pl.col(c) < EARLIEST) | (pl.col(c) > now),
                    pl.format("implausible timestamp in {} ({})", pl.lit(c), pl.col(c)),
                )
            )
        elif dt == pl.Int64 or dt == pl.Float64:
            rules.append((pl.col(c) < 0, pl.lit(f"negative count in {c}")))
    failed = pl.any_horizontal([t.fill_null(False) for t, _ in rules])
    df = df.with_columns(_failed=failed)
    ok = df.filter(~pl.col("_failed")) if df["_failed"].any() else df
    # (rechunked: polars 2.1's str.format can panic on a filtered multi-chunk frame)
    bad = df.filter(pl.col("_failed")).rechunk()
    reasons = [
        pl.when(reason_only.get(i, t).fill_null(False)).then(why)
        for i, (t, why) in enumerate(rules)
    ]
    bad = bad.with_columns(_reason=pl.coalesce(reasons))
    # Exact duplicates (all canonical columns equal, and the same source identity when the
    # loader gave one): keep the first, reject the rest.
    dup = _later_duplicates(ok, [*cols, DUPKEY] if has_key else cols)
    dups = ok.filter(dup)
    if dups.height:
        ok = ok.filter(~dup)
    rejects = pl.concat(
        [
            bad.select(
                "_file", "_line", pl.lit(table).alias("table"), pl.col("_reason").alias("reason")
            ),
            dups.select(
                "_file",
                "_line",
                pl.lit(table).alias("table"),
                pl.lit("exact duplicate row").alias("reason"),
            ),
        ]
    )
    return ok.select([*cols, "_file", "_line"]), rejects


def _vocabularies(table: str) -> dict[str, tuple[str, ...]]:
    """{column: its allowed values} of ``table``'s text columns with a fixed vocabulary (each
    also required): platform; for interactions kind and direction."""
    out = {"platform": PLATFORMS}
    if table == "interactions":
        out |= {"kind": KINDS, "direction": DIRECTIONS}
    return out


def repeated_rows(df: pl.DataFrame, cols: list[str]) -> pl.Series:
    """True for every row whose values on ``cols`` occur in another row too. Only rows whose
    64-bit hash of ``cols`` repeats are compared exactly (equal rows hash equal; a collision
    is only an extra comparison): hashing whole rows of 10M connections at once cost 6 GB.
    Distinct hashes (the usual case) are told by a count of them, 5× faster than marking
    each repeated one."""
    out = pl.repeat(False, df.height, dtype=pl.Boolean, eager=True)
    hashes = df.select(cols).hash_rows()
    if hashes.n_unique() == df.height:
        return out
    cand = hashes.is_duplicated()
    if not cand.any():
        return out
    idx = cand.arg_true()
    return out.scatter(idx, df[idx].select(pl.struct(cols).is_duplicated())[:, 0])


def _later_duplicates(df: pl.DataFrame, cols: list[str]) -> pl.Series:
    """True for every row equal (on ``cols``) to an earlier row. Only rows that share a
    cheap key with another row are compared: with a ``ts`` column, rows whose ``ts`` occurs
    more than once (or is null; a sorted ``ts``, which Parquet keeps the flag of, makes
    finding those nearly free); without, the rows ``repeated_rows`` finds."""
    if df.height == 0:
        return pl.Series("d", [], dtype=pl.Boolean)
    none = pl.repeat(False, df.height, dtype=pl.Boolean, eager=True).alias("d")
    if "ts" not in cols:
        cand = repeated_rows(df, cols)
    else:
        ts = df["ts"]
        s = ts.drop_nulls().sort()
        repeated = s.filter(s.to_physical().diff() == 0).unique()
        cand = ts.is_in(repeated.implode()) | ts.is_null()
    if not cand.any():
        return none
    idx = cand.arg_true()
    sub = df[idx].select(pl.struct(cols).is_first_distinct().not_().alias("d"))["d"]
    return none.scatter(idx, sub)
