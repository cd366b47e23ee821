"""Validation, merging and the load report: every input record is loaded or rejected.

``finalize`` takes the loaders' candidate frames, validates them (``schema.validate``),
drops every row of a rejected record (a record is loaded whole or not at all), merges the
same contact's rows across files of one export, adds the ``source`` column
(``<file>:<line>``) and builds the per-file report with rows read = loaded + set aside +
rejected (set aside: valid records that cannot be attributed to a contact, counted by
reason; see ``warmcall.ingest.loaders.base.FileReport.set_aside``). It also resolves the signals
each file declares (``FileReport.carries``) to accounts: the report's ``signals``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from warmcall.core import schema
from warmcall.core.chunks import aligned
from warmcall.core.sanitize import terminal

# re-exported: the model and reports name the activity without importing a loader
from warmcall.ingest.loaders.base import UNFOLLOWED_ACTIVITY as UNFOLLOWED_ACTIVITY
from warmcall.ingest.loaders.base import FileReport, LoadResult

_KEYS = {"_file": pl.String, "_line": pl.Int64}


@dataclass
class SourceReport:
    path: str
    format: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_set_aside: int = 0
    #: [{"reason", "rows", "activity", "account_id"}]: valid records not loaded, by reason
    set_aside: list[dict] = field(default_factory=list)
    #: [{"account_id", "platform", "signal"}]: what this file shows (see loaders.base.SIGNALS)
    signals: list[dict] = field(default_factory=list)
    #: [{"activity", "account_id", "platform", "contact_id", "ts_us"}]: people named by
    #: set-aside records that reports list (``FileReport.list_aside``)
    listed: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_set_aside": self.rows_set_aside,
            "rows_rejected": self.rows_rejected,
            "rejects": self.rejects,
            "set_aside": self.set_aside,
            "notes": self.notes,
            "signals": self.signals,
            "listed": self.listed,
        }

    @classmethod
    def from_dict(cls, d: dict) -> SourceReport:
        """The inverse of ``to_dict`` (reports written before set-aside rows and signals
        existed read as none of either)."""
        return cls(
            d["path"], d["format"], d["rows_read"], d["rows_loaded"], d["rows_rejected"],
            list(d.get("rejects", [])), list(d.get("notes", [])), d.get("rows_set_aside", 0),
            list(d.get("set_aside", [])), list(d.get("signals", [])), list(d.get("listed", [])),
        )  # fmt: skip

    @property
    def balanced(self) -> bool:
        """rows read = loaded + set aside + rejected, every count ≥ 0."""
        parts = (self.rows_loaded, self.rows_set_aside, self.rows_rejected)
        return min(parts) >= 0 and self.rows_read == sum(parts)


@dataclass
class LoadReport:
    """Per-source accounting of one ``warmcall.load`` call."""

    sources: list[SourceReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sources)

    @property
    def rows_loaded(self) -> int:
        return sum(s.rows_loaded for s in self.sources)

    @property
    def rows_rejected(self) -> int:
        return sum(s.rows_rejected for s in self.sources)

    @property
    def rows_set_aside(self) -> int:
        return sum(s.rows_set_aside for s in self.sources)

    def to_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_set_aside": self.rows_set_aside,
            "rows_rejected": self.rows_rejected,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, d: dict) -> LoadReport:
        return cls([SourceReport.from_dict(s) for s in d.get("sources", [])])

    def signals(self) -> pl.DataFrame:
        """One row per (account_id, signal) some loaded file shows: account_id, platform,
        signal, sources (the files, "; "-joined)."""
        rows = [
            {**sig, "path": s.path} for s in self.sources for sig in s.signals
            if sig.get("account_id")
        ]  # fmt: skip
        schema = {"account_id": pl.String, "platform": pl.String, "signal": pl.String,
                  "path": pl.String}  # fmt: skip
        df = pl.DataFrame(rows, schema=schema)
        return df.group_by("account_id", "platform", "signal", maintain_order=True).agg(
            pl.col("path").unique(maintain_order=True).str.join("; ").alias("sources")
        )

    def set_aside_frame(self) -> pl.DataFrame:
        """Set-aside records: account_id, activity, reason, rows (summed over files)."""
        rows = [
            {"account_id": a.get("account_id"), "activity": a.get("activity"),
             "reason": a["reason"], "rows": a["rows"]}
            for s in self.sources for a in s.set_aside
        ]  # fmt: skip
        schema = {"account_id": pl.String, "activity": pl.String, "reason": pl.String,
                  "rows": pl.Int64}  # fmt: skip
        return (
            pl.DataFrame(rows, schema=schema)
            .group_by("account_id", "activity", "reason", maintain_order=True)
            .agg(pl.col("rows").sum())
        )

    def listed_frame(self, activity: str | None = None) -> pl.DataFrame:
        """People named by set-aside records (``FileReport.list_aside``): activity,
        account_id, platform, contact_id, ts (UTC), one row per listed record; only
        ``activity`` when given."""
        rows = [r for s in self.sources for r in s.listed
                if activity is None or r.get("activity") == activity]  # fmt: skip
        schema = {"activity": pl.String, "account_id": pl.String, "platform": pl.String,
                  "contact_id": pl.String, "ts_us": pl.Int64}  # fmt: skip
        df = pl.DataFrame([{k: r.get(k) for k in schema} for r in rows], schema=schema)
        return df.with_columns(
            ts=pl.from_epoch("ts_us", time_unit="us").dt.replace_time_zone("UTC")
        ).drop("ts_us")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            [{k: v for k, v in s.to_dict().items() if k not in ("rejects", "notes", "set_aside", "signals")}
             for s in self.sources],
            schema={"path": pl.String, "format": pl.String, "rows_read": pl.Int64,
                    "rows_loaded": pl.Int64, "rows_set_aside": pl.Int64, "rows_rejected": pl.Int64},
        )  # fmt: skip

    def summary(self) -> pl.DataFrame:
        """One row per input (archive, folder or file) and format: files, rows read,
        loaded, rejected and the most common reject reason. Archive members are grouped
        under their archive's name; folders' files under their own name."""
        rows = []
        for s in self.sources:
            container, _, member = s.path.partition("!")
            reasons: dict[str, int] = {}
            for r in s.rejects:
                reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
            rows.append({"input": Path(container).name, "format": s.format, "rows_read": s.rows_read,
                         "rows_loaded": s.rows_loaded, "rows_set_aside": s.rows_set_aside,
                         "rows_rejected": s.rows_rejected, "reasons": reasons})  # fmt: skip
        if not rows:
            return pl.DataFrame(schema={"input": pl.String, "format": pl.String, "files": pl.UInt32,
                                        "rows_read": pl.Int64, "rows_loaded": pl.Int64,
                                        "rows_set_aside": pl.Int64, "rows_rejected": pl.Int64,
                                        "top_reason": pl.String})  # fmt: skip
        out = []
        groups: dict[tuple[str, str], dict] = {}
        for r in rows:
            g = groups.setdefault((r["input"], r["format"]), {"files": 0, "rows_read": 0, "rows_loaded": 0,
                                                              "rows_set_aside": 0, "rows_rejected": 0,
                                                              "reasons": {}})  # fmt: skip
            g["files"] += 1
            for k in ("rows_read", "rows_loaded", "rows_set_aside", "rows_rejected"):
                g[k] += r[k]
            for reason, n in r["reasons"].items():
                g["reasons"][reason] = g["reasons"].get(reason, 0) + n
        for (inp, fmt), g in groups.items():
            top = max(g["reasons"].items(), key=lambda kv: kv[1]) if g["reasons"] else None
            out.append({"input": inp, "format": fmt, "files": g["files"], "rows_read": g["rows_read"],
                        "rows_loaded": g["rows_loaded"], "rows_set_aside": g["rows_set_aside"],
                        "rows_rejected": g["rows_rejected"],
                        "top_reason": f"{top[1]:,} × {top[0]}" if top else None})  # fmt: skip
        return pl.DataFrame(out, schema_overrides={"files": pl.UInt32, "top_reason": pl.String})

    def text(self) -> str:
        """A short human summary: one line per input and format, the main reject reasons,
        notes, and the totals (``--json`` gives every file and every reject). Safe to print:
        every name, reason and note is shown through ``sanitize.terminal``."""
        lines = []  # names, reasons and notes may hold data: sanitize.terminal, one line each
        for r in self.summary().iter_rows(named=True):
            files = f" ({r['files']} files)" if r["files"] > 1 else ""
            aside = f", set aside {r['rows_set_aside']:,}" if r["rows_set_aside"] else ""
            lines.append(
                f"{terminal(r['input'])} [{r['format']}]{files}: read {r['rows_read']:,}, "
                f"loaded {r['rows_loaded']:,}{aside}, rejected {r['rows_rejected']:,}"
            )
            if r["top_reason"]:
                lines.append(f"    most common reject: {terminal(r['top_reason'])}")
        for a in self.set_aside_frame().iter_rows(named=True):
            lines.append(f"set aside: {a['rows']:,} × {terminal(a['reason'])}")
        notes = sorted({n for s in self.sources for n in s.notes})
        lines += [f"note: {terminal(n)}" for n in notes]
        aside = f" + set aside {self.rows_set_aside:,}" if self.rows_set_aside else ""
        lines.append(
            f"total: read {self.rows_read:,} = loaded {self.rows_loaded:,}{aside}"
            f" + rejected {self.rows_rejected:,}"
        )
        return "\n".join(lines)


def _loaded_per_file(frames: list[pl.DataFrame]) -> dict[str, int]:
    """Distinct (_file, _line) records with at least one accepted row, counted per file
    (a record may have rows in several tables; a null line counts as one record).

    A frame holding one file only (the usual case) contributes its ``_line`` column to that
    file's count directly; frames mixing files go through one group-by."""
    by_file: dict[str, list[pl.Series]] = {}
    mixed: list[pl.DataFrame] = []
    for f in frames:
        if f.height == 0:
            continue
        one = _one_file(f)
        if one is not None:
            by_file.setdefault(one, []).append(f["_line"].cast(pl.Int64))
        else:
            mixed.append(f.select(pl.col("_file").cast(pl.String), pl.col("_line").cast(pl.Int64)))
    out: dict[str, int] = {}
    if mixed:
        seen = set(pl.concat([m.select("_file") for m in mixed])["_file"].unique().to_list())
        for file in [k for k in by_file if k in seen]:
            mixed += [
                pl.DataFrame({"_file": pl.repeat(file, len(s), eager=True), "_line": s})
                for s in by_file.pop(file)
            ]
        n = pl.concat(mixed).group_by("_file").agg(pl.col("_line").n_unique().alias("n"))
        out.update(zip(n["_file"], n["n"], strict=True))
    for file, lines in by_file.items():
        out[file] = (lines[0] if len(lines) == 1 else pl.concat(lines)).n_unique()
    return out


@dataclass
class Streamed:
    """An interactions file validated and written in chunks (``warmcall.ingest.stream``):
    rows loaded; its rejects (_file, _line, reason: every rule of ``schema.validate``);
    (account_id, platform) of its rows as read (``raw_accounts``, for ``resolve``) and of its
    rows loaded (``accounts``, for the signals)."""

    loaded: int
    rejects: pl.DataFrame
    raw_accounts: pl.DataFrame
    accounts: pl.DataFrame


def finalize(
    result: LoadResult,
    *,
    keep_keys: bool = False,
    streamed: dict[str, Streamed] | None = None,
) -> tuple[dict[str, pl.DataFrame], LoadReport]:
    """Validate and merge candidate frames; return the canonical tables and the report.

    ``keep_keys`` (for the table cache): connections, interactions and posts keep ``_fid``
    (an index into the extra table ``SOURCE_FILES``: ``_fid``, ``_file``) and ``_line``
    instead of ``source``, which ``keyed_source`` builds from them once ``_file`` is joined
    back (when read, not for every row here: 27M rows' "<file>:<line>" text is 2 GB at 10×
    scale L); a merged connection or post carries the text of all its records in ``_src``.

    ``streamed``: {file: ``Streamed``} of interactions files validated and written in chunks
    by ``warmcall.ingest.stream``: their rows are not in the tables, their counts, rejects
    and accounts are."""
    accepted: dict[str, pl.DataFrame] = {}
    rejects = [  # one frame for the loaders' rejects of every file (not one per file)
        pl.DataFrame(
            {
                "_file": [f.path for f in result.files for _ in f.rejects],
                "_line": [r[0] for f in result.files for r in f.rejects],
                "reason": [r[1] for f in result.files for r in f.rejects],
            },
            schema={"_file": pl.String, "_line": pl.Int64, "reason": pl.String},
        )  # fmt: skip
    ]
    rejects += [s.rejects.select("_file", "_line", "reason") for s in (streamed or {}).values()]
    validated: dict[str, list[pl.DataFrame]] = {}
    names: dict[str, int] = {}  # ``_fid`` of each file (``keep_keys``)
    for table in schema.TABLES:
        frames = result.tables.get(table, [])
        oks = []
        for fr in frames:
            ok, bad = schema.validate(table, fr)
            oks.append(ok)
            rejects.append(bad.select("_file", "_line", "reason"))
        validated[table] = oks
    rej = pl.concat(rejects) if rejects else pl.DataFrame(schema={**_KEYS, "reason": pl.String})
    # A record is loaded whole or not at all: drop every row of a rejected record. Done per
    # validated frame: a frame of one file none of whose records was rejected is kept as is.
    bad_keys = rej.filter(pl.col("_line").is_not_null()).select("_file", "_line").unique()
    bad_lines = {f: g["_line"] for (f,), g in bad_keys.group_by("_file")} if bad_keys.height else {}
    kept_by_table: dict[str, list[pl.DataFrame]] = {}
    for table, oks in validated.items():
        kept = kept_by_table[table] = []
        for df in oks:
            one = _one_file(df)
            if bad_lines and df.height:
                if one is None:
                    df = df.join(bad_keys, on=["_file", "_line"], how="anti", nulls_equal=True)
                elif one in bad_lines:
                    gone = pl.col("_line").is_in(bad_lines[one].implode()).fill_null(False)
                    df = df.filter(~gone)
            # ``source`` = "<file>:<line>" (null when the line is unknown)
            src = (
                SOURCE_EXPR
                if one is None
                else pl.concat_str([pl.lit(f"{one}:"), pl.col("_line").cast(pl.String)])
            )
            if keep_keys and table in KEYED_TABLES:
                kept.append(df)
            else:
                kept.append(aligned(df.with_columns(src.alias("source"))))
        if keep_keys and table in KEYED_TABLES and kept:
            accepted[table] = _file_ids(kept, names)
        elif kept:
            accepted[table] = pl.concat(kept, how="vertical")
        else:  # (the empty frame gets ``source`` in ``_merge``)
            accepted[table] = (
                schema.empty(table)
                .drop("source", strict=False)
                .with_columns(
                    pl.lit(None, pl.String).alias("_file"), pl.lit(None, pl.Int64).alias("_line")
                )
            )
    # Within-table duplicates across records can make a record lose all its rows to the
    # duplicate rule; such records count as rejected (they are in ``rej``).
    loaded_n = _loaded_per_file([df for frames in kept_by_table.values() for df in frames])
    for file, st in (streamed or {}).items():
        loaded_n[file] = loaded_n.get(file, 0) + st.loaded

    reports = []
    # Rejects per file, gathered in one pass: keyed ones once per record (the first reason),
    # unkeyed ones (line unknown) once each.
    keyed: dict[str, list[dict]] = {}
    unkeyed: dict[str, list[dict]] = {}
    firsts = rej.filter(pl.col("_line").is_not_null()).unique(
        subset=["_file", "_line"], keep="first", maintain_order=True
    )
    for file, line, reason in firsts.select("_file", "_line", "reason").iter_rows():
        keyed.setdefault(file, []).append({"line": line, "reason": reason})
    for file, reason in rej.filter(pl.col("_line").is_null()).select("_file", "reason").iter_rows():
        unkeyed.setdefault(file, []).append({"line": None, "reason": reason})
    for f in _merge_file_reports(result.files):
        reject_list = keyed.get(f.path, []) + unkeyed.get(f.path, [])
        n_rej = len(reject_list)
        n_loaded = loaded_n.get(f.path, 0)
        n_aside = f.rows_set_aside
        gap = f.rows_read - n_loaded - n_aside - n_rej
        if gap > 0:
            reject_list.append({"line": None, "reason": f"{gap} record(s) produced no rows"})
            n_rej += gap
        elif gap < 0:
            raise RuntimeError(
                f"{f.path}: accounting error: read {f.rows_read}, loaded {n_loaded}, "
                f"set aside {n_aside}, rejected {n_rej}"
            )
        reject_list.sort(key=lambda r: (r["line"] is None, r["line"] or 0))
        aside = [
            {"reason": r, "rows": n, "activity": act, "account_id": acct}
            for (r, act, acct), n in f.set_asides.items()
        ]
        reports.append(
            SourceReport(
                f.path,
                f.format,
                f.rows_read,
                n_loaded,
                n_rej,
                reject_list,
                list(f.notes),
                n_aside,
                aside,
                [],
                list(f.listed),
            )  # fmt: skip
        )
    files = pl.DataFrame(
        {"_fid": list(names.values()), "_file": list(names)}, schema=_NO_FILES.schema
    )
    tables = {
        t: _merge(t, df, files if keep_keys and t in KEYED_TABLES else None)
        for t, df in accepted.items()
    }
    extra = [st.accounts for st in (streamed or {}).values()]
    _resolve_signals(result.files, reports, {**tables, "_streamed": pl.concat(extra)} if extra
                     else tables)  # fmt: skip
    if keep_keys:
        tables[SOURCE_FILES] = files
    return tables, LoadReport(reports)


def _one_file(df: pl.DataFrame) -> str | None:
    """The frame's only ``_file`` value, or None (several files, nulls, no rows)."""
    if df.height == 0 or df["_file"].null_count():
        return None
    lo, hi = df["_file"].min(), df["_file"].max()
    return lo if lo == hi else None


SOURCE_FILES = "_source_files"
_NO_FILES = pl.DataFrame(schema={"_fid": pl.UInt32, "_file": pl.String})
#: The tables that ``finalize(keep_keys=True)`` gives ``_fid``/``_line`` instead of ``source``.
KEYED_TABLES = ("connections", "interactions", "posts")


def _file_ids(frames: list[pl.DataFrame], names: dict[str, int]) -> pl.DataFrame:
    """Frames of one table with ``_file`` replaced by ``_fid``, the file's index in
    ``names`` (filled here: {file: _fid}, shared by the tables): one integer per row
    instead of one string."""
    out = []
    for df in frames:
        one = _one_file(df)
        if one is not None:
            fid = pl.lit(names.setdefault(one, len(names)), pl.UInt32)
        else:
            for f in df["_file"].drop_nulls().unique(maintain_order=True).to_list():
                names.setdefault(f, len(names))
            fid = pl.col("_file").replace_strict(names, default=None, return_dtype=pl.UInt32)
        out.append(aligned(df.with_columns(fid.alias("_fid")).drop("_file")))
    return pl.concat(out, how="vertical")


def _merge_file_reports(files: list[FileReport]) -> list[FileReport]:
    merged: dict[str, FileReport] = {}
    for f in files:
        if f.path in merged:
            m = merged[f.path]
            m.rows_read += f.rows_read
            m.rejects += f.rejects
            m.notes += [n for n in f.notes if n not in m.notes]
            for k, n in f.set_asides.items():
                m.set_asides[k] = m.set_asides.get(k, 0) + n
            m.listed += f.listed
        else:
            merged[f.path] = FileReport(
                f.path, f.format, f.rows_read, list(f.rejects), list(f.notes), dict(f.set_asides),
                listed=list(f.listed),
            )  # fmt: skip
    return list(merged.values())


def _resolve_signals(
    files: list[FileReport], reports: list[SourceReport], tables: dict[str, pl.DataFrame]
) -> None:
    """Fill each report's ``signals`` from its files' declarations. A declaration without an
    account (the file names none) goes to the one account of its platform in the loaded
    tables, as rows that name no account do (``warmcall.ingest.resolve``); with none or several
    such accounts it is dropped (those rows were rejected with the reason)."""
    seen: dict[str, set[str]] = {}
    for t in ("accounts", "connections", "interactions", "posts", "_streamed"):
        df = tables.get(t)
        if df is not None and df.height and "platform" in df.columns:
            pairs = df.group_by("platform", "account_id").agg()  # faster than unique here
            for plat, acct in pairs.iter_rows():
                if plat and acct:
                    seen.setdefault(plat, set()).add(acct)
    by_path = {r.path: r for r in reports}
    for f in files:
        rep = by_path.get(f.path)
        if rep is None:
            continue
        for acct, plat, sig in f.signals:
            if acct is None:
                accts = seen.get(plat, set())
                if len(accts) != 1:
                    continue
                acct = next(iter(accts))
            d = {"account_id": acct, "platform": plat, "signal": sig}
            if d not in rep.signals:
                rep.signals.append(d)


#: ``source`` = "<_file>:<_line>" (null when either is null).
SOURCE_EXPR = pl.format("{}:{}", pl.col("_file"), pl.col("_line")).alias("source")


def keyed_source(table: str) -> pl.Expr:
    """``source`` of a table of ``finalize(keep_keys=True)`` once ``_file`` is joined back
    on ``_fid``: interactions ``SOURCE_EXPR``; connections and posts the merged records'
    text (``_src``) or else ``SOURCE_EXPR``, "" when the line is unknown (as ``_merge``)."""
    if table == "interactions":
        return SOURCE_EXPR
    return pl.coalesce(pl.col("_src"), SOURCE_EXPR).fill_null("").alias("source")


def keyed_columns(table: str) -> list[str]:
    """The columns of a ``finalize(keep_keys=True)`` table: canonical but ``source``, then
    ``_fid``, ``_line`` and (connections, posts) ``_src``."""
    extra = ["_fid", "_line"] + (["_src"] if table != "interactions" else [])
    return schema.canonical_columns(table, with_source=False) + extra


def _merge(table: str, df: pl.DataFrame, files: pl.DataFrame | None = None) -> pl.DataFrame:
    """Merge rows that describe the same entity; build ``source``; canonical column order.

    - connections: one row per (account_id, contact_id); follows_me / i_follow are OR-ed,
      connected_at is the earliest, contact_last_post_at the latest, counts the largest,
      other fields the first non-null;
      ``source`` lists every contributing record.
    - posts: one row per (account_id, post_id) (an archive and an analytics CSV describe the
      same post); counts the largest (counts only grow), other fields the first non-null.
    - accounts: one row per (account_id, snapshot_date); first non-null per column.
    - interactions are events and are never merged.

    Rows whose key occurs once are their own merge (every rule returns the one value; a
    lone null source joins to ""): only rows with a repeated key go through the group-by;
    the output keeps its order (first occurrence of each key).

    ``files`` (``finalize(keep_keys=True)``: the frame has ``_fid``, not ``_file``): the
    columns of ``keyed_columns``: ``_fid``/``_line`` of the first record, and for a merged
    row ``_src``, its records' "<file>:<line>" joined by "; " (the text is made for the
    merged rows only); ``source`` is left to ``keyed_source``.
    """
    keys = {"connections": ["account_id", "contact_id"], "posts": ["account_id", "post_id"],
            "accounts": ["account_id", "snapshot_date"]}.get(table)  # fmt: skip
    if files is not None:
        if "_fid" not in df.columns:  # no rows
            df = df.with_columns(pl.lit(None, pl.UInt32).alias("_fid"))
        cols = keyed_columns(table)
        if keys is None:  # interactions
            return df.select(cols)
        return _combine(
            df, keys, cols,
            single=pl.lit(None, pl.String).alias("_src"),
            merged=lambda rows: rows.join(files, on="_fid", how="left", maintain_order="left")
            .with_columns(SOURCE_EXPR),
            aggs=[*_merge_aggs(table, keys, source_as="_src"),
                  pl.col("_fid").first(), pl.col("_line").first()],
        )  # fmt: skip
    cols = schema.canonical_columns(table)
    if "source" not in df.columns:
        df = df.with_columns(SOURCE_EXPR)
    out = _combine(
        df, keys, cols, single=pl.col("source").fill_null(""), merged=lambda rows: rows,
        aggs=_merge_aggs(table, keys),
    ) if keys else df.select(cols)  # fmt: skip
    if table == "accounts":
        out = out.drop("source", strict=False)
    return out


def _combine(
    df: pl.DataFrame,
    keys: list[str],
    cols: list[str],
    single: pl.Expr,
    merged: Callable[[pl.DataFrame], pl.DataFrame],
    aggs: list[pl.Expr],
) -> pl.DataFrame:
    """``_merge``'s step: the rows whose ``keys`` repeat (``schema.repeated_rows``), through
    ``merged`` then grouped by ``aggs``, one row per key; the others with ``single``; in the
    order of each key's first row; columns ``cols``."""
    repeated = schema.repeated_rows(df, keys) if df.height else None
    if repeated is None or not repeated.any():
        return df.with_columns(single).select(cols)
    df = df.with_row_index("_first")
    grouped = (
        merged(df.filter(repeated))
        .group_by(keys, maintain_order=True)
        .agg(*aggs, pl.col("_first").first())
    )
    singles = df.filter(~repeated).with_columns(single)
    return (
        pl.concat([singles.select(*cols, "_first"), grouped.select(*cols, "_first")])
        .sort("_first")
        .select(cols)
    )


def _merge_aggs(table: str, keys: list[str], source_as: str = "source") -> list[pl.Expr]:
    """The per-column rules of ``_merge`` for the rows of one key (the records' sources
    joined into ``source_as``)."""
    aggs = []
    for c in schema.canonical_columns(table):
        if c in keys:
            continue
        dt = schema.TABLES[table][c]
        if c == "source":
            aggs.append(pl.col("source").str.join("; ").alias(source_as))
        elif dt == pl.Boolean and c in ("follows_me", "i_follow"):
            # OR of what is known; null only when no file said anything
            aggs.append(pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).any()))
        elif c == "connected_at":
            aggs.append(pl.col(c).min())
        elif c == "contact_last_post_at" or dt == pl.Int64:
            aggs.append(pl.col(c).max())  # the newest profile knows the latest post
        else:
            aggs.append(pl.col(c).drop_nulls().first())
    return aggs
