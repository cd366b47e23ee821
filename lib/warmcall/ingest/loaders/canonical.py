"""Canonical tables as CSV or Parquet (``accounts``, ``connections``, ``interactions``,
``posts``; any subset) and the user's ``touchpoints.csv`` log of offline contact.

A file is claimed when its name is ``<table>.csv`` / ``<table>.parquet`` and its header
holds canonical columns of that table; a claimed file missing a required column is
unusable (``InputError``). ``touchpoints.csv`` has the columns ``date,platform,handle,
channel,note``; each row becomes an interaction of kind call/meeting/email/event,
direction out (docs/architecture.md, "Offline touchpoints"). Channel synonyms are in
``TOUCHPOINT_CHANNELS``. A touchpoints log declares the ``outbound`` signal for each platform
it names (``FileReport.carries``); canonical tables declare none (their signals are read
from the rows loaded).
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from pathlib import Path

import polars as pl

from warmcall.core import schema
from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.loaders.csvutil import header_of, read_csv_text
from warmcall.ingest.sources import Member, Source

FORMAT = "canonical"
#: Parquet files (paths) that ``warmcall.ingest.stream`` loads in chunks into the table
#: cache: this loader reports them (rows read) but does not read them.
STREAMED: ContextVar[frozenset[str]] = ContextVar("canonical_streamed", default=frozenset())
TOUCHPOINT_COLUMNS = ("date", "platform", "handle", "channel")
# channel as users write it -> canonical kind
TOUCHPOINT_CHANNELS = {
    "call": "call", "phone": "call", "phone call": "call", "video call": "call", "zoom": "call",
    "meeting": "meeting", "coffee": "meeting", "lunch": "meeting", "dinner": "meeting",
    "visit": "meeting", "in person": "meeting", "meet": "meeting",
    "email": "email", "e-mail": "email", "mail": "email", "letter": "email",
    "event": "event", "conference": "event", "meetup": "event", "workshop": "event",
}  # fmt: skip


def _table_of(m: Member) -> str | None:
    stem, _, ext = m.basename.rpartition(".")
    if ext.lower() in ("csv", "parquet") and stem in schema.TABLES:
        return stem
    return None


def _parquet(m: Member) -> Path | io.BytesIO:
    """A Parquet member as polars reads it best: the file itself for folders and single
    files (read in place, only the needed parts), the bytes for archive members."""
    if m.source.kind == "dir":
        return m.source.path / m.name
    if m.source.kind == "file":
        return m.source.path
    return io.BytesIO(m.read_bytes())


def _columns(m: Member, encoding: str | None = None) -> list[str]:
    if m.basename.lower().endswith(".parquet"):
        try:
            return list(pl.read_parquet_schema(_parquet(m)))
        except Exception as e:  # polars raises several types for corrupt files
            raise InputError(
                m.display, f"not a readable Parquet file ({type(e).__name__})"
            ) from None
    return header_of(m.head_text(encoding=encoding))  # decoding errors: reported by load


def _claims(
    src: Source, encoding: str | None = None
) -> tuple[list[tuple[str, Member]], list[Member]]:
    tables = []
    for m in src.members():
        t = _table_of(m)
        if t and len(set(_columns(m, encoding)) & set(schema.TABLES[t])) >= 2:
            tables.append((t, m))
    touch = [
        m
        for m in src.find("touchpoints.csv")
        if set(TOUCHPOINT_COLUMNS) <= set(header_of(m.head_text(encoding=encoding)))
    ]
    return tables, touch


def detect(src: Source) -> bool:
    """True if the source holds a canonical table file or a touchpoints log."""
    tables, touch = _claims(src)
    return bool(tables or touch)


def load(src: Source, encoding: str | None = None, **_: object) -> LoadResult:
    """Load every canonical table file and touchpoints log in ``src`` (text decoded with
    ``encoding`` when given, else UTF-8 / BOM as ``Member.read_text``)."""
    res = LoadResult()
    tables, touch = _claims(src, encoding)
    for table, m in tables:
        if m.source.kind != "zip" and str(_parquet(m)) in STREAMED.get():
            res.file(m.display, f"canonical-{table}", pl.scan_parquet(_parquet(m)).select(
                pl.len()).collect().item())  # fmt: skip
            continue
        if m.basename.lower().endswith(".parquet"):
            # the row index read with the file: chunked like the other columns (one added
            # afterwards is one chunk, and every later select then copies the whole table
            # into matching chunks: +0.8 GB at 10M interactions)
            df = pl.read_parquet(_parquet(m), row_index_name="_line", row_index_offset=1)
            df = df.with_columns(pl.col("_line").cast(pl.Int64))
        else:
            df = read_csv_text(m.read_text(encoding))
        missing = [c for c in schema.REQUIRED[table] if c not in df.columns]
        if missing:
            raise InputError(
                m.display, f"missing required column(s) {', '.join(missing)} for {table}"
            )
        res.file(m.display, f"canonical-{table}", df.height)
        res.add(table, df.with_columns(_file=pl.lit(m.display)))
    for m in touch:
        res.extend(load_touchpoints(m, encoding))
    return res


def load_touchpoints(m: Member, encoding: str | None = None) -> LoadResult:
    """``touchpoints.csv`` -> interactions (kind from channel, direction out).

    ``account_id`` and ``contact_id`` are resolved against the loaded connections later
    (``warmcall.ingest.resolve``); the row carries ``_handle`` until then. A date may be a day
    (``2026-11-02``) or a timestamp; days are taken as 12:00 UTC so that they fall on the
    same calendar day in every time zone within ±11 h.
    """
    res = LoadResult()
    df = read_csv_text(m.read_text(encoding))
    rep = res.file(m.display, "touchpoints", df.height)
    missing = [c for c in TOUCHPOINT_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(
            m.display, f"missing required column(s) {', '.join(missing)} for touchpoints"
        )
    chan = pl.col("channel").str.strip_chars().str.to_lowercase()
    day_only = pl.col("date").str.strip_chars().str.contains(r"^\d{4}-\d{2}-\d{2}$")
    ts = (
        pl.when(day_only)
        .then(pl.col("date").str.strip_chars() + "T12:00:00Z")
        .otherwise(pl.col("date"))
    )
    out = df.select(
        pl.lit(None, pl.String).alias("account_id"),
        pl.col("platform").str.strip_chars().str.to_lowercase().alias("platform"),
        pl.col("handle").str.strip_chars().alias("_handle"),
        ts.alias("ts"),
        chan.replace_strict(TOUCHPOINT_CHANNELS, default=None).alias("kind"),
        chan.alias("_channel"),
        pl.lit("out").alias("direction"),
        pl.lit(m.display).alias("_file"),
        "_line",
    )
    for line, channel in (
        out.filter(pl.col("kind").is_null() & pl.col("_channel").is_not_null())
        .select("_line", "_channel")
        .iter_rows()
    ):
        rep.reject(
            line, f"unknown touchpoint channel '{channel}' (use call, meeting, email or event)"
        )
    res.add("interactions", out.drop("_channel"))
    # a logged touchpoint is your contact with someone: outbound, per platform named
    for platform in out["platform"].drop_nulls().unique().sort().to_list():
        rep.carries(platform, "outbound")
    return res
