"""Any CSV through a YAML mapping (docs/mapping.md): panel data such as an
influencer list or a tweets dataset with author follower counts, an audience tool's
follower list, a CRM export.

Mapping format (unknown keys and wrong types are an ``InputError`` naming the mapping file
and the key)::

    platform: instagram          # the rows' platform (or map a `platform` column)
    table: accounts              # accounts | connections | interactions | posts | profiles
    columns:                     # canonical column: source column (header name)
      handle: channel_info
      followers: followers       # "1.2k", "475.8m", "3,401" -> counts (warmcall.ingest.numbers)
      engagement_rate: eng_rate  # "4.5%" -> 0.045: rates are fractions
    account_columns:             # posts/interactions only: per-account values on the rows
      handle: user_name          # -> one accounts row per distinct account values
      followers: user_followers
    constants:                   # fixed values (canonical column of the table or, with
      snapshot_date: 2022-10-01  # account_columns, of accounts)
    encoding: latin-1            # the CLI's --encoding wins over this (a file that is
                                 # valid UTF-8 is read as UTF-8, noted: sources.utf8_despite)
    handle_column: user_name     # source column with the audited account's handle
    account_handle: alice        # or one fixed handle for every row
    formats:                     # optional strptime format per timestamp/date column
      ts: "%d/%m/%Y %H:%M"

Where a mapping applies (``warmcall.ingest.load.load``): an input's own mapping (params
``data: [{path: panel.csv, mapping: panel.yaml}]``, the mapping a path relative to the params
file or an inline dict) always; a load's top-level mapping (params ``mapping``, ``--mapping``)
only to inputs that no loader recognises as a known export.

Rules:

* Every CSV member of the source is read (a single file of any name, or the ``*.csv``
  members of a folder or zip), with a real CSV parser (``csvutil.read_csv_text``); one
  record = one data row, ``_line`` = its physical line.
* A source column named in the mapping but missing from a CSV's header: ``InputError``
  naming the CSV and the missing columns (the mapping's names; the file's header is never
  quoted, since the file may be anything, e.g. a password file given by mistake). When the
  header is a single column (whole rows wrapped in quotes, or ``;``/tab-separated), the error
  says so and names the columns the mapping expects (``csvutil.single_column_hint``).
* ``account_id`` = ``"<platform>:<handle>"`` (handle trimmed, leading ``@`` removed) unless
  mapped or constant; the handle is the account's own: ``columns.handle`` or
  ``constants.handle`` for table accounts; otherwise ``account_columns.handle``,
  ``constants.handle`` (with ``account_columns``), ``handle_column`` or ``account_handle``
  (a constant handle, ``handle_column`` and ``account_handle`` exclude each other).
* ``contact_id`` (connections, profiles), when not mapped, is the contact's handle
  normalized (``handles.handle_key``: NFKC, trimmed, URL forms, no ``@``, lower-case): the project's
  convention for Instagram and Mastodon (``user@domain``).
* Count columns go through ``numbers.to_count``, rate/average columns through
  ``numbers.parse_human_number`` (``%`` -> fraction, ``2.28E+11`` read). A number that is
  present but not parsable (``12abc``, ``1,23``) or not whole for a count (``1.2345k``)
  rejects the row with a reason naming the column and the value; missing values
  (``numbers.is_missing_number``: empty, ``-``, ``N/A``, ``#N/A``, ``NA``, ``NaN``,
  ``NaN%``...) are null.
* Timestamps without a ``formats`` entry are passed on as text and parsed as ISO-8601 by
  the validator.
* ``table: profiles`` gives profile rows (``profiles.PROFILE_COLUMNS``) that enrich
  matching connections (``warmcall.ingest.enrich``).
"""

from __future__ import annotations

import codecs
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, ValidationError

from warmcall.core import schema
from warmcall.core.errors import InputError, shown_name
from warmcall.core.handles import display_handle, handle_key
from warmcall.core.params import key_path, read_yaml
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.loaders.csvutil import read_csv_text, single_column_hint
from warmcall.ingest.loaders.profiles import PROFILE_COLUMNS
from warmcall.ingest.numbers import (
    is_missing_number,
    parse_human_number,
    parse_human_number_py,
    to_count,
    to_count_py,
)
from warmcall.ingest.sources import Member, Source

FORMAT = "mapped"
Scalar = str | bool | int | float | date | datetime | None


class Mapping(BaseModel):
    """The YAML mapping, as validated (module docstring)."""

    model_config = ConfigDict(extra="forbid", strict=False)

    platform: str | None = None
    table: Literal["accounts", "connections", "interactions", "posts", "profiles"]
    columns: dict[str, str]
    account_columns: dict[str, str] = {}
    constants: dict[str, Scalar] = {}
    encoding: str | None = None
    handle_column: str | None = None
    account_handle: str | None = None
    formats: dict[str, str] = {}


def table_schema(table: str) -> dict[str, pl.DataType]:
    """Columns a mapping may fill for ``table`` (canonical, without ``source``)."""
    if table == "profiles":
        return dict(PROFILE_COLUMNS)
    return {c: t for c, t in schema.TABLES[table].items() if c != "source"}


def read_mapping(mapping: str | os.PathLike[str] | dict) -> tuple[Mapping, str]:
    """Read and validate a mapping (a YAML path or a dict). Returns it and the name used
    in error messages. Raises ``InputError(<mapping file>, ...)`` naming the bad key."""
    if isinstance(mapping, dict):
        name, raw = "<mapping>", mapping
    else:
        p = Path(mapping)
        name = str(p)
        if not p.is_file():
            raise InputError(name, "mapping file not found")
        raw = read_yaml(p, "mapping file")  # safe_load; tags refused, one-line errors
    if not isinstance(raw, dict):
        raise InputError(name, "a mapping must be a YAML mapping with platform, table and columns")
    raw = {str(k): v for k, v in raw.items()}
    try:
        m = Mapping.model_validate(raw)
    except ValidationError as e:
        problems = []  # unknown keys first: a typo explains a "missing" key
        for err in sorted(e.errors(), key=lambda r: r["type"] != "extra_forbidden"):
            key = key_path(raw, err["loc"])  # a key that is not a plain name: its position
            key = key if "<key" in key else f"'{key}'"
            if err["type"] == "extra_forbidden":
                problems.append(f"unknown key {key}")
            elif err["type"] == "missing":
                problems.append(f"missing key {key}")
            else:
                problems.append(f"key {key}: {err['msg']}")
        raise InputError(name, "invalid mapping: " + "; ".join(problems)) from None
    _check(m, name)
    return m, name


def _check(m: Mapping, name: str) -> None:
    def bad(problem: str) -> InputError:
        return InputError(name, f"invalid mapping: {problem}")

    cols = table_schema(m.table)
    acols = table_schema("accounts")
    if m.platform is not None:
        m.platform = m.platform.strip().lower()
        if m.platform not in schema.PLATFORMS:
            raise bad(
                f"key 'platform': unknown platform {shown_name(m.platform, '(not shown)')}"
                f" (one of {', '.join(schema.PLATFORMS)})"
            )
    elif "platform" not in m.columns:
        raise bad("missing key 'platform' (or map a platform column)")
    if not m.columns:
        raise bad("key 'columns' is empty")
    for k in m.columns:
        if k not in cols:
            raise bad(
                f"unknown column 'columns.{k}' for table {m.table} (allowed: {', '.join(cols)})"
            )
    if m.account_columns and m.table not in ("posts", "interactions"):
        raise bad("key 'account_columns' is only for table posts or interactions")
    for k in m.account_columns:
        if k not in acols:
            raise bad(f"unknown column 'account_columns.{k}' (allowed: {', '.join(acols)})")
    allowed_const = {**(acols if m.account_columns else {}), **cols}
    for k, v in m.constants.items():
        if k not in allowed_const:
            raise bad(f"unknown column 'constants.{k}' for table {m.table}")
        if k == "platform":
            raise bad("key 'constants.platform': use the top-level key 'platform'")
        if k in m.columns or k in m.account_columns:
            raise bad(f"key 'constants.{k}': column {k} is both mapped and constant")
        dt = allowed_const[k]
        if dt == pl.Int64 and v is not None and to_count_py(v) is None:
            raise bad(f"key 'constants.{k}': not a count")
        if dt == pl.Float64 and v is not None and parse_human_number_py(v) is None:
            raise bad(f"key 'constants.{k}': not a number")
    for k in m.formats:
        dt = allowed_const.get(k)
        if not (isinstance(dt, pl.Datetime) or dt == pl.Date):
            raise bad(f"key 'formats.{k}': not a timestamp or date column")
    own = [k for k in ("handle_column", "account_handle") if getattr(m, k) is not None]
    if _constant_handle(m) is not None:
        own.insert(0, "constants.handle")
    if len(own) > 1:
        raise bad(f"keys {' and '.join(repr(k) for k in own)} exclude each other")
    if m.encoding is not None:
        try:
            codecs.lookup(m.encoding)
        except LookupError:
            raise bad(
                f"key 'encoding': unknown encoding {shown_name(m.encoding, '(not shown)')}"
            ) from None


# -- conversion ------------------------------------------------------------------------
def _clean_handle(e: pl.Expr) -> pl.Expr:
    return display_handle(e)


def _convert(
    raw: dict[str, pl.Expr], types: dict[str, pl.DataType], formats: dict[str, str]
) -> tuple[dict[str, pl.Expr], list[pl.Expr]]:
    """Typed expressions for the source text in ``raw`` (canonical column -> text) and a
    reject reason per column (null when fine) naming the column and the value."""
    out: dict[str, pl.Expr] = {}
    why: list[pl.Expr] = []
    for c, e in raw.items():
        dt = types[c]
        val = e.str.strip_chars()
        if dt == pl.Int64 or dt == pl.Float64:
            v = to_count(e) if dt == pl.Int64 else parse_human_number(e)
            kind = (
                pl.when(parse_human_number(e).is_not_null())
                .then(pl.lit("not a whole number"))
                .otherwise(pl.lit("unparsable number"))
            )
            why.append(
                pl.when(~is_missing_number(e) & v.is_null()).then(
                    pl.format("{} in {} ('{}')", kind, pl.lit(c), val)
                )
            )
        elif c in formats:
            if dt == pl.Date:
                v = val.str.to_date(formats[c], strict=False)
            else:
                v = val.str.to_datetime(formats[c], strict=False, time_unit="us")
                v = (
                    v.dt.convert_time_zone("UTC")
                    if "%z" in formats[c]
                    else v.dt.replace_time_zone("UTC")
                )
            why.append(
                pl.when(e.is_not_null() & (val != "") & v.is_null()).then(
                    pl.format("unparsable timestamp in {} ('{}')", pl.lit(c), val)
                )
            )
        else:
            v = e  # text, booleans and ISO timestamps: the validator casts them
        out[c] = v
    return out, why


def _constant_handle(m: Mapping) -> str | None:
    """``constants.handle`` when it is the account's own handle: for table accounts, or
    for the accounts rows of a posts/interactions table with ``account_columns``."""
    v = m.constants.get("handle")
    if v is None or not (m.table == "accounts" or m.account_columns):
        return None
    return str(v)


def _constant(v: Any, dt: pl.DataType) -> pl.Expr:
    if v is None:
        return pl.lit(None, dt)
    if dt == pl.Int64:
        return pl.lit(to_count_py(v), pl.Int64)
    if dt == pl.Float64:
        return pl.lit(parse_human_number_py(v), pl.Float64)
    if isinstance(v, datetime | date | bool):
        return pl.lit(v)
    return pl.lit(str(v))


def _resolve_header(mem: Member, header: list[str], wanted: list[str], name: str) -> dict[str, str]:
    """Source column (as in the mapping) -> column in the CSV; exact match first, then
    ignoring surrounding whitespace. Missing columns raise ``InputError`` naming the CSV."""
    stripped = {h.strip(): h for h in header}
    found, missing = {}, []
    for w in dict.fromkeys(wanted):
        if w in header:
            found[w] = w
        elif w.strip() in stripped:
            found[w] = stripped[w.strip()]
        else:
            missing.append(w)
    hint = single_column_hint(header)
    if missing and hint:  # the header cell is file content: never quoted back
        raise InputError(
            mem.display,
            f"the file has a single column: {hint}; mapping {name} expects columns "
            f"{', '.join(repr(x) for x in dict.fromkeys(wanted))}",
        )
    if missing:  # the header is the file's first line: never quoted (it may be anything)
        raise InputError(
            mem.display,
            f"missing mapped column(s) {', '.join(repr(x) for x in missing)} "
            f"(mapping {name}): not among the {len(header)} column(s) of the header (line 1)",
        )
    return found


def load_mapped(
    src: Source, mapping: str | os.PathLike[str] | dict, encoding: str | None = None
) -> LoadResult:
    """Load every CSV member of ``src`` through ``mapping`` (a YAML path or a dict; module
    docstring). ``encoding`` (the CLI's ``--encoding``) wins over the mapping's."""
    m, name = read_mapping(mapping)
    enc = encoding or m.encoding
    members = (
        src.members()
        if src.kind == "file"
        else [x for x in src.members() if x.basename.lower().endswith(".csv")]
    )
    if not members:
        raise InputError(src.path, "no CSV files to read with the mapping")
    res = LoadResult()
    for mem in members:
        res.extend(_load_member(mem, m, name, enc))
    return res


def _load_member(mem: Member, m: Mapping, name: str, enc: str | None) -> LoadResult:
    res = LoadResult()
    df = read_csv_text(mem.read_text(enc))
    header = [c for c in df.columns if c != "_line"]
    wanted = [*m.columns.values(), *m.account_columns.values()]
    if m.handle_column:
        wanted.append(m.handle_column)
    found = _resolve_header(mem, header, wanted, name)
    rep = res.file(mem.display, f"{FORMAT}-{m.table}", df.height)
    rep.notes.append(f"read through mapping {name}")
    if df.height == 0:
        return res
    # Source columns under internal names, so canonical names never collide with them.
    internal = {w: f"_src_{i}" for i, w in enumerate(found)}
    g = df.select(
        *[pl.col(found[w]).cast(pl.String).alias(i) for w, i in internal.items()], "_line"
    )

    types = table_schema(m.table)
    atypes = table_schema("accounts")
    main_x, main_why = _convert(
        {c: pl.col(internal[s]) for c, s in m.columns.items()}, types, m.formats
    )
    acct_x, acct_why = _convert(
        {c: pl.col(internal[s]) for c, s in m.account_columns.items()}, atypes, m.formats
    )
    if "platform" in main_x:
        main_x["platform"] = pl.coalesce(
            main_x["platform"].str.strip_chars().str.to_lowercase(), pl.lit(m.platform, pl.String)
        )
    else:
        main_x["platform"] = pl.lit(m.platform, pl.String)
    handle_src: pl.Expr = pl.lit(None, pl.String)
    if m.table == "accounts" and "handle" in m.columns:
        handle_src = pl.col(internal[m.columns["handle"]])
    elif "handle" in m.account_columns:
        handle_src = pl.col(internal[m.account_columns["handle"]])
    elif _constant_handle(m) is not None:
        handle_src = pl.lit(_constant_handle(m), pl.String)
    elif m.handle_column:
        handle_src = pl.col(internal[m.handle_column])
    elif m.account_handle:
        handle_src = pl.lit(m.account_handle, pl.String)
    acct_handle = _clean_handle(handle_src)
    why = [*main_why, *acct_why]
    g = g.with_columns(
        *[e.alias(c) for c, e in main_x.items()],
        *[e.alias(f"_a_{c}") for c, e in acct_x.items()],
        acct_handle.alias("_acct_handle"),
        (pl.coalesce(why) if why else pl.lit(None, pl.String)).alias("_why"),
        pl.lit(mem.display).alias("_file"),
    ).with_columns(_account_id=pl.format("{}:{}", pl.col("platform"), pl.col("_acct_handle")))
    for line, reason in g.filter(pl.col("_why").is_not_null()).select("_line", "_why").iter_rows():
        rep.reject(line, reason)
    g = g.filter(pl.col("_why").is_null())

    consts = {k: _constant(v, types[k]) for k, v in m.constants.items() if k in types}
    derived: dict[str, pl.Expr] = {}
    if m.table != "profiles" and "account_id" not in m.columns and "account_id" not in consts:
        derived["account_id"] = pl.col("_account_id")
    if m.table == "accounts" and ("handle" in m.columns or _constant_handle(m) is not None):
        derived["handle"] = pl.col("_acct_handle")
        consts.pop("handle", None)
    if (
        m.table in ("connections", "profiles")
        and "contact_id" not in m.columns
        and "contact_id" not in consts
        and "handle" in m.columns
    ):
        derived["contact_id"] = handle_key(pl.col("handle"))
    main = g.select(
        *[pl.col(c) for c in main_x if c not in derived],
        *[e.alias(k) for k, e in derived.items()],
        *[e.alias(k) for k, e in consts.items()],
        "_file",
        "_line",
    )
    if m.account_columns:
        aconsts = {k: _constant(v, atypes[k]) for k, v in m.constants.items() if k in atypes}
        aconsts.pop("handle", None)  # the account's handle is _acct_handle (cleaned)
        if "account_id" in m.columns:
            account_id = pl.col("account_id")
        else:
            account_id = aconsts.pop("account_id", pl.col("_account_id"))
        acct = g.select(
            account_id.alias("account_id"),
            pl.col("platform"),
            pl.col("_acct_handle").alias("handle"),
            *[pl.col(f"_a_{c}").alias(c) for c in m.account_columns if c != "handle"],
            *[e.alias(k) for k, e in aconsts.items() if k != "platform"],
            "_file",
            "_line",
        )
        main = _account_carriers(rep, m.table, main, acct, res)
    res.add(m.table, main)
    return res


def _account_carriers(
    rep: Any, table: str, main: pl.DataFrame, acct: pl.DataFrame, res: LoadResult
) -> pl.DataFrame:
    """Add one accounts row per distinct account values, carried by the first record (in
    file order) whose main row and accounts row both pass validation, so that a rejected
    record never takes a good account with it. Records whose account values fail
    validation are rejected whole. Returns the main rows that remain.

    Only candidate carriers are validated (the first 1, 2, 4, ... records per distinct
    account values, until one passes), not every row a second time. Exact duplicate rows
    (which the validator rejects) are never candidates."""
    _, bad_acct = schema.validate("accounts", acct)
    bad_acct = bad_acct.filter(pl.col("reason") != "exact duplicate row")
    for line, reason in bad_acct.select("_line", "reason").iter_rows():
        rep.reject(line, f"account values: {reason}")
    main = main.join(bad_acct.select("_line"), on="_line", how="anti")
    body = [c for c in main.columns if c not in ("_file", "_line")]
    dups = main.filter(~pl.struct(body).is_first_distinct()).select("_line")
    values = [c for c in acct.columns if c not in ("_file", "_line")]
    pool = acct.join(pl.concat([bad_acct.select("_line"), dups]), on="_line", how="anti")
    carriers = []
    k = 1
    while pool.height:
        cand = pool.filter(pl.int_range(pl.len()).over(values) < k)
        _, bad = schema.validate(table, main.join(cand.select("_line"), on="_line", how="semi"))
        good = cand.join(bad.select("_line"), on="_line", how="anti").unique(
            subset=values, keep="first", maintain_order=True
        )
        carriers.append(good)
        pool = pool.join(cand.select("_line"), on="_line", how="anti").join(
            good.select(values), on=values, how="anti", nulls_equal=True
        )
        k *= 2
    if carriers:
        res.add("accounts", pl.concat(carriers).sort("_line"))
    return main
