"""Build small Workbooks from plain rows (cast through the real validator)."""

from __future__ import annotations

import polars as pl
from warmcall.core import schema
from warmcall.ingest.workbook import Workbook


def table(name: str, rows: list[dict]) -> pl.DataFrame:
    if not rows:
        return schema.empty(name)
    df = pl.DataFrame(rows, infer_schema_length=None)
    ok, rej = schema.validate(name, df)
    assert rej.height == 0, rej.to_dicts()
    cols = schema.canonical_columns(name)
    ok = ok.with_columns(source=pl.lit("test")) if "source" in cols else ok
    return ok.select(cols)


def workbook(*, accounts=(), connections=(), interactions=(), posts=()) -> Workbook:
    return Workbook(
        accounts=table("accounts", list(accounts)),
        connections=table("connections", list(connections)),
        interactions=table("interactions", list(interactions)),
        posts=table("posts", list(posts)),
    )


def inter(contact: str, day: str, kind: str, direction: str, account: str = "x:me",
          platform: str = "x", post_id: str | None = None) -> dict:  # fmt: skip
    return {"account_id": account, "platform": platform, "contact_id": contact,
            "ts": f"{day}T12:00:00Z", "kind": kind, "direction": direction, "post_id": post_id}  # fmt: skip


def conn(contact: str, account: str = "x:me", platform: str = "x", **kw) -> dict:
    return {"account_id": account, "platform": platform, "contact_id": contact, **kw}


def cached_export(tmp_path, monkeypatch, files: dict[str, str]):
    """A canonical-table export folder ``tmp_path/export`` holding ``files`` (name -> text),
    with the table cache in ``tmp_path/cache``, on for inputs of any size."""
    d = tmp_path / "export"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    return d
