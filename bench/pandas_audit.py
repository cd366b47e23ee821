"""The connection audit in idiomatic pandas: the baseline of ``bench/run.py`` (``pandas_s``).

The same computation as ``warmcall.load`` (canonical Parquet tables + ``touchpoints.csv``)
→ ``warmcall.score`` → ``warmcall.summarize(by=("platform", "segment"))``, written the way a
pandas user would: pandas 3 (Arrow-backed ``str`` columns), categoricals for the
low-cardinality keys, vectorised column expressions, ``groupby(..., observed=True)`` with
named aggregations, no Python row loops. It reads the canonical tables as they are (they are
already valid: the bench data comes from ``warmcall sample``), resolves the touchpoints log
to contacts, computes the per-contact features, cross-platform persons, the six tie-strength
components and quality, stages, Dunbar layers, segments, relevance and hygiene flags, and the
per platform × segment summary. ``check(...)`` compares it with warmcall on the same folder.

Bench-only dependency: ``pip install pandas pyarrow`` (pandas ≥ 3).
"""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from warmcall.core.params import Params
from warmcall.ingest.loaders.canonical import TOUCHPOINT_CHANNELS
from warmcall.model.features import LIKE_KINDS, PRIVATE_KINDS, STRONG_KINDS
from warmcall.model.quality import COMPONENTS, LAYER_LABELS, LAYERS, STAGES

KEYS = ["account_id", "platform", "contact_id"]
#: the summary's count columns
COUNTS = ("followers", "following", "engaged", "two_way", "trusted", "conversant",
          "engaged_stage", "aware", "flagged")  # fmt: skip
US_PER_DAY = 86_400_000_000
CONN_COLS = [
    "account_id", "platform", "contact_id", "handle", "display_name", "bio", "company",
    "position", "location", "contact_followers", "contact_following", "follows_me",
    "i_follow", "connected_at", "person_id",
]  # fmt: skip


def _words(keywords: list[str]) -> str:
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    return r"(?i)(?:^|\W)(?:" + "|".join(re.escape(w) for w in words) + r")(?:\W|$)"


def _days(ts: pd.Series) -> pd.Series:
    """UTC calendar day of each timestamp, as days since 1970-01-01 (float, NaN for NaT)."""
    us = ts.astype("datetime64[us, UTC]").array.asi8
    days = np.floor_divide(us, US_PER_DAY).astype("float64")
    days[ts.isna().to_numpy()] = np.nan
    return pd.Series(days, index=ts.index)


def _norm_handle(s: pd.Series) -> pd.Series:
    return s.str.strip().str.lstrip("@").str.lower().str.replace(r"@.*$", "", regex=True)


def _norm_text(s: pd.Series) -> pd.Series:
    return s.str.lower().str.replace(r"[^\w]+", " ", regex=True).str.strip()


def read_tables(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(accounts, connections, interactions) with the touchpoints log resolved into
    interactions (kind from channel, direction out, the platform's one account, the contact
    whose normalized handle matches, else the normalized handle)."""
    d = Path(folder)
    accounts = pd.read_parquet(d / "accounts.parquet", columns=["account_id", "platform"])
    conns = pd.read_parquet(d / "connections.parquet", columns=CONN_COLS)
    inter = pd.read_parquet(
        d / "interactions.parquet",
        columns=["account_id", "platform", "contact_id", "ts", "kind", "direction"],
    )
    tp_path = d / "touchpoints.csv"
    if tp_path.exists():
        tp = pd.read_csv(tp_path, dtype=str, keep_default_na=False)
        kind = tp["channel"].str.strip().str.lower().map(TOUCHPOINT_CHANNELS)
        day = tp["date"].str.strip()
        ts = pd.to_datetime(
            day.where(~day.str.fullmatch(r"\d{4}-\d{2}-\d{2}"), day + "T12:00:00Z"), utc=True
        ).astype("datetime64[us, UTC]")
        pairs = pd.concat(
            [t[["account_id", "platform"]].drop_duplicates() for t in (accounts, conns, inter)]
        ).drop_duplicates()
        n_acc = pairs.groupby("platform").agg(
            account=("account_id", "first"), n=("account_id", "size")
        )
        tp = pd.DataFrame(
            {"platform": tp["platform"].str.strip().str.lower(), "_h": _norm_handle(tp["handle"]),
             "ts": ts, "kind": kind, "direction": "out"}
        )  # fmt: skip
        tp = tp[tp["kind"].notna()].join(n_acc, on="platform")
        tp = tp[tp["n"] == 1].rename(columns={"account": "account_id"})
        by_handle = (
            conns.dropna(subset=["handle"])
            .assign(_h=lambda c: _norm_handle(c["handle"]))
            .drop_duplicates(["account_id", "_h"])[["account_id", "_h", "contact_id"]]
        )
        tp = tp.merge(by_handle, on=["account_id", "_h"], how="left")
        tp["contact_id"] = tp["contact_id"].fillna(tp["_h"])
        inter = pd.concat([inter, tp[inter.columns]], ignore_index=True)
    return accounts, conns, inter


def features(inter: pd.DataFrame, p: Params, as_of: date) -> pd.DataFrame:
    """One row per (account_id, platform, contact_id): the counts the scores need."""
    end = pd.Timestamp(as_of + timedelta(days=1), tz="UTC")
    w_start = pd.Timestamp(as_of - timedelta(days=p.window_days - 1), tz="UTC")
    y_start = pd.Timestamp(as_of - timedelta(days=364), tz="UTC")
    x = inter[inter["ts"] < end]
    kind = x["kind"].astype("category")
    inbound = x["direction"].eq("in")
    outbound = x["direction"].eq("out")
    in_w = x["ts"] >= w_start
    in_y = x["ts"] >= y_start
    like = kind.isin(LIKE_KINDS)
    weights = kind.map(p.quality.kind_weights).astype("float64").fillna(0.0)
    cols = pd.DataFrame(
        {
            "account_id": x["account_id"].astype("category"),
            "platform": x["platform"].astype("category"),
            "contact_id": x["contact_id"],
            "ts": x["ts"],
            "n_in": inbound, "n_out": outbound, "in_w": inbound & in_w, "out_w": outbound & in_w,
            "in_w_nonlike": inbound & in_w & ~like, "in_w_like": inbound & in_w & like,
            "dm_in_w": inbound & in_w & kind.eq("dm"), "dm_out_w": outbound & in_w & kind.eq("dm"),
            "strong_365": in_y & kind.isin(STRONG_KINDS), "in_365": inbound & in_y,
            "out_365": outbound & in_y, "n_365": in_y,
            "private_365": in_y & kind.isin(PRIVATE_KINDS),
            "weighted_365": weights.where(in_y, 0.0),
            "kind_365": kind.where(in_y),
        }
    )  # fmt: skip
    counts = [c for c in cols.columns if c not in (*KEYS, "ts", "kind_365", "weighted_365")]
    g = cols.groupby(KEYS, observed=True, sort=False)
    out = g[counts].sum()
    out["weighted_365"] = g["weighted_365"].sum()
    out["n_kinds_365"] = g["kind_365"].nunique()
    out["first_ts"] = g["ts"].min()
    out["last_ts"] = g["ts"].max()
    out = out.reset_index()
    for c in ("account_id", "platform"):
        out[c] = out[c].astype(str)
    return out


def persons(c: pd.DataFrame) -> pd.Series:
    """person_id: the given one, else the same handle on several platforms (one contact per
    platform, ≥ 5 characters), else the same name and company on several platforms."""
    h = _norm_handle(c["handle"].fillna(c["contact_id"]))
    n = _norm_text(c["display_name"])
    co = _norm_text(c["company"])
    pc = c["platform"].astype(str) + "\x00" + c["contact_id"]

    def matched(mask: pd.Series, key: pd.Series | list[pd.Series], prefix: str) -> pd.Series:
        keys = key if isinstance(key, list) else [key]
        frame = pd.DataFrame({f"k{i}": k for i, k in enumerate(keys)})[mask]
        frame["platform"] = c["platform"][mask]
        frame["pc"] = pc[mask]
        by = [f"k{i}" for i in range(len(keys))]
        agg = frame.groupby(by, sort=False).agg(np_=("platform", "nunique"), nc=("pc", "nunique"))
        ok = agg[(agg["np_"] >= 2) & (agg["nc"] == agg["np_"])].reset_index()
        ok["pid"] = prefix + ok[by[0]] + ("" if len(by) == 1 else "|" + ok[by[1]])
        joined = pd.DataFrame({b: k for b, k in zip(by, keys, strict=True)}).merge(
            ok[[*by, "pid"]], on=by, how="left"
        )
        return pd.Series(joined["pid"].to_numpy(), index=c.index)

    auto_h = matched(h.str.len() >= 5, h, "h:")
    auto_n = matched((n.str.len() > 0) & (co.str.len() > 0), [n, co], "n:")
    return c["person_id"].fillna(auto_h).fillna(auto_n)


def score(
    accounts: pd.DataFrame, conns: pd.DataFrame, inter: pd.DataFrame, p: Params, as_of: date
) -> pd.DataFrame:
    """Per contact: features, persons, components, quality, stage, layer, segment, relevance,
    hygiene flag (the columns ``summarize`` reads and a few more)."""
    f = features(inter, p, as_of)
    as_of_day = (pd.Timestamp(as_of) - pd.Timestamp("1970-01-01")).days
    conns = conns.assign(
        is_connection=conns["connected_at"].isna() | (_days(conns["connected_at"]) <= as_of_day)
    )
    c = conns.merge(f, on=KEYS, how="outer")
    count_cols = [x for x in f.columns if x not in (*KEYS, "weighted_365", "first_ts", "last_ts")]
    c[count_cols] = c[count_cols].fillna(0).astype("int64")
    c["weighted_365"] = c["weighted_365"].fillna(0.0)
    c["is_connection"] = c["is_connection"].fillna(False).astype(bool)
    # persons and channels (multiplexity)
    c["person_id"] = persons(c)
    group = c["person_id"].fillna(c["account_id"] + "/" + c["contact_id"])
    c["n_platforms"] = c.groupby(group, sort=False)["platform"].transform("nunique")
    c["n_channels"] = c["n_kinds_365"] + c["n_platforms"] - 1
    # components
    q = p.quality
    last_day = _days(c["last_ts"])
    first_known = pd.concat([c["connected_at"], c["first_ts"]], axis=1).min(axis=1)
    days_known = (as_of_day - _days(first_known)).clip(lower=0)
    n365 = c["n_365"].astype("float64")
    comp = pd.DataFrame(index=c.index)
    comp["intensity"] = 1.0 - np.exp(-c["weighted_365"].to_numpy() / q.intensity_scale)
    comp["reciprocity"] = 0.5 * ((c["in_365"] > 0) & (c["out_365"] > 0)).astype("float64") + 0.5 * (
        c["follows_me"].fillna(False).astype(bool) & c["i_follow"].fillna(False).astype(bool)
    ).astype("float64")
    since = (as_of_day - last_day).clip(lower=0).astype("float64")
    comp["recency"] = np.where(
        last_day.notna(),
        np.exp(-math.log(2) * since.fillna(0.0).to_numpy() / q.half_life_days),
        0.0,
    )
    comp["duration"] = (
        (days_known.astype("float64") / q.duration_full_days).clip(upper=1.0).fillna(0.0)
    )
    comp["intimacy"] = np.where(n365 > 0, c["private_365"] / n365.where(n365 > 0, 1.0), 0.0)
    comp["multiplexity"] = (
        (c["n_channels"].astype("float64") - 1) / (q.multiplexity_full - 1)
    ).clip(0.0, 1.0)
    w = q.weights.model_dump()
    total = sum(w.values()) or 1.0
    quality = sum(comp[k] * (w[k] / total) for k in COMPONENTS)
    c["quality"] = (100.0 * quality).round(1)
    # stage
    trusted = (c["strong_365"] > 0) | ((c["dm_in_w"] > 0) & (c["dm_out_w"] > 0))
    c["stage"] = pd.Categorical(
        np.select(
            [
                trusted,
                (c["in_w"] > 0) & (c["out_w"] > 0),
                c["in_w_nonlike"] > 0,
                c["in_w_like"] > 0,
                (c["out_w"] > 0) & (c["in_w"] == 0),
            ],
            ["trusted", "conversant", "engaged", "aware", "reached"],
            default="connection",
        ),
        categories=list(STAGES),
    )
    # Dunbar layer: live ties (an interaction in the last 365 days) with quality > 0, ranked
    # by quality (desc), last contact (recent first), contact_id; the others in no layer
    t = c["last_ts"].astype("datetime64[us, UTC]").astype("int64[pyarrow]").fillna(-(2**62))
    live = (c["quality"] > 0) & (c["n_365"] > 0)
    order = pd.DataFrame(
        {"a": c["account_id"], "q": -c["quality"], "t": -t, "cid": c["contact_id"]}
    )[live]
    order = order.sort_values(["a", "q", "t", "cid"], kind="stable")
    rank = order.groupby("a", sort=False).cumcount() + 1
    rank = rank.reindex(c.index)
    layer = np.select([~live] + [rank <= cut for cut in LAYERS], [None, *LAYER_LABELS[:-1]], "rest")
    c["layer"] = pd.Categorical(layer, categories=list(LAYER_LABELS))
    # segments: first segment whose keywords occur (whole word, any case) in its fields
    seg = pd.Series("unsegmented", index=c.index, dtype=object)
    done = pd.Series(False, index=c.index)
    for s in p.segments:
        if not s.keywords:
            continue
        pat = _words(s.keywords)
        hit = pd.Series(False, index=c.index)
        for fld in s.fields:
            hit |= c[fld].fillna("").str.contains(pat, regex=True)
        if s.platforms:
            hit &= c["platform"].isin(s.platforms)
        seg = seg.mask(hit & ~done, s.name)
        done |= hit
    c["segment"] = seg.astype("category")
    # relevance: Σ weight of the niche keywords present in bio, company or position
    text = (
        c["bio"].fillna("") + " \n " + c["company"].fillna("") + " \n " + c["position"].fillna("")
    )
    c["relevance"] = sum(
        (text.str.contains(_words([k]), regex=True) * float(wt) for k, wt in p.relevance.items()),
        pd.Series(0.0, index=c.index),
    )
    # hygiene
    h = p.hygiene
    following, followers = c["contact_following"], c["contact_followers"]
    handle = c["handle"].fillna("")
    bio_known = c["bio"].notna().groupby(c["account_id"]).transform("any")
    strong = (following > h.max_following).fillna(False)
    strong |= (
        (following >= h.min_following_for_ratio) & followers.notna()
        & (following / followers.clip(lower=1) > h.max_following_ratio)
    ).fillna(False)  # fmt: skip
    if h.spam_keywords:
        spam_text = c["bio"].fillna("") + " " + handle
        strong |= spam_text.str.contains(_words(h.spam_keywords), regex=True)
    weak = (
        handle.str.lower().str.contains(h.default_handle_pattern, regex=True) & c["handle"].notna()
    ).astype(int)
    if h.flag_empty_bio:
        weak += (bio_known & c["bio"].fillna("").str.strip().eq("")).astype(int)
    two_way = c["stage"].isin(["conversant", "trusted"])
    c["flagged"] = (strong | (weak >= 2)) & ~two_way
    return c


def summarize(scores: pd.DataFrame, by: tuple[str, ...] = ("platform", "segment")) -> pd.DataFrame:
    """The per-group summary of ``warmcall.summarize``."""
    s = scores["stage"]
    x = pd.DataFrame(
        {
            **{b: scores[b].astype(str) for b in by},
            "followers": scores["follows_me"].fillna(False).astype(bool),
            "following": scores["i_follow"].fillna(False).astype(bool),
            "engaged": scores["in_w"] > 0,
            "two_way": s.isin(["conversant", "trusted"]),
            "trusted": s.eq("trusted"),
            "conversant": s.eq("conversant"),
            "engaged_stage": s.eq("engaged"),
            "aware": s.eq("aware"),
            "flagged": scores["flagged"],
            "quality": scores["quality"],
        }
    )
    g = x.groupby(list(by), sort=True)
    out = g.agg(
        contacts=("quality", "size"),
        **{k: (k, "sum") for k in COUNTS},
        median_quality=("quality", "median"),
        mean_quality=("quality", "mean"),
    ).reset_index()
    out["mean_quality"] = out["mean_quality"].round(1)
    out["engaged_share"] = (out["engaged"] / out["followers"]).where(out["followers"] > 0)
    return out


def audit(folder: str | Path, p: Params, as_of: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scores and the platform × segment summary for a canonical table folder."""
    accounts, conns, inter = read_tables(folder)
    scores = score(accounts, conns, inter, p, as_of)
    return scores, summarize(scores)


def check(folder: str | Path, p: Params, as_of: date) -> dict:
    """Compare with warmcall on ``folder``: stage counts per platform × segment equal, and
    every contact's quality within 1e-6. Returns what differs (empty lists when equal)."""
    import warmcall

    wb = warmcall.load(folder, cache=False)
    ws = warmcall.score(wb, p.model_copy(update={"as_of": as_of}))
    wsum = warmcall.summarize(ws, by=("platform", "segment")).to_pandas()
    ps, psum = audit(folder, p, as_of)
    cols = ["contacts", *(c for c in COUNTS if c != "following")]
    a = wsum.set_index(["platform", "segment"])[cols].astype("int64").sort_index()
    b = psum.set_index(["platform", "segment"])[cols].astype("int64").sort_index()
    count_diff = (
        []
        if a.equals(b)
        else [str(i) for i in a.index.symmetric_difference(b.index)] or ["counts differ"]
    )
    wq = ws.select("account_id", "contact_id", "quality").to_pandas()
    pq = ps[["account_id", "contact_id", "quality"]]
    m = wq.merge(
        pq, on=["account_id", "contact_id"], how="outer", suffixes=("_w", "_p"), indicator=True
    )
    unmatched = int((m["_merge"] != "both").sum())
    worst = float((m["quality_w"] - m["quality_p"]).abs().max())
    over = int(((m["quality_w"] - m["quality_p"]).abs() > 1e-6).sum())
    return {
        "contacts": len(ws),
        "summary_equal": not count_diff,
        "summary_diff": count_diff,
        "unmatched_contacts": unmatched,
        "quality_max_abs_diff": worst,
        "quality_over_1e-6": over,
    }


if __name__ == "__main__":  # python bench/pandas_audit.py FOLDER: the check against warmcall
    import json
    import sys

    import yaml
    from warmcall.core.params import parse_params
    from warmcall.sample.story import END

    raw = yaml.safe_load(
        (Path(__file__).resolve().parents[1] / "params" / "sample.yaml").read_text()
    )
    raw["data"] = [sys.argv[1]]
    raw["as_of"] = END.isoformat()
    print(json.dumps(check(sys.argv[1], parse_params(raw), END), indent=2))
