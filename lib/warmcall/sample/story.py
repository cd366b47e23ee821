"""The Northwind Research story: a seeded, synthetic workbook in canonical tables.

A small B2B research consultancy on X, LinkedIn, Instagram, Mastodon and Bluesky, with a
small newsletter, about 17,000 followers in all, most of them silent; contact follower counts heavy-tailed (log-normal);
15–20% spam or mass-following accounts; a handful of tiny-but-influential contacts (small
in number, large reach, warm); twelve months of interactions ending on ``END``; posts with
impressions; and a touchpoints log of calls, meetings and coffees. The newsletter has
subscribers only (their addresses derived from each row, ``sample.substack.email_of``);
Bluesky contacts are named by DID (``sample.bluesky.did_for``), as its exports name them.
The platforms are generated in the order of ``PLATFORM_SHARE`` from one random stream, the
later ones after the earlier, so adding a platform at the end leaves the others' rows as
they were.

Everything is vectorised with NumPy so the same story scales to a million contacts
(``SCALES``); the same seed gives the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl

from warmcall.core import schema
from warmcall.ingest.loaders import substack as substack_loader
from warmcall.sample import bluesky, substack

END = date(2026, 11, 13)  # the story's last day (a Friday)
OWN = {"x": "northwindrsrch", "linkedin": "northwind-research", "instagram": "northwind.research",
       "mastodon": "northwind@fediscience.example", "bluesky": "northwind.bsky.social",
       "newsletter": "northwind"}  # fmt: skip
DISPLAY = "Northwind Research"


@dataclass(frozen=True)
class Scale:
    contacts: int
    interactions: int
    posts: int


# Per-platform shares of contacts, interactions and posts.
PLATFORM_SHARE = {"x": 0.55, "linkedin": 0.25, "instagram": 0.14, "mastodon": 0.06,
                  "bluesky": 0.02, "newsletter": 0.03}  # fmt: skip
POST_SHARE = {"x": 0.5, "linkedin": 0.2, "instagram": 0.12, "mastodon": 0.18, "bluesky": 0.06,
              "newsletter": 0.0}  # fmt: skip
#: platforms whose story has subscribers only: no interactions, posts or touchpoints
SUBSCRIBERS_ONLY = ("newsletter",)
SCALES = {
    "sample": Scale(19_000, 24_000, 760),
    "S": Scale(10_000, 100_000, 1_000),
    "M": Scale(100_000, 1_000_000, 10_000),
    "L": Scale(1_000_000, 10_000_000, 50_000),
}
FIRST = ["Ada", "Alan", "Amara", "Ana", "Ben", "Bea", "Carl", "Chen", "Dana", "Dev", "Eli", "Emma", "Femi", "Fay", "Gus", "Hana", "Ian", "Ines", "Jon", "Jia", "Kai", "Kim", "Leo", "Lina", "Max", "Mia", "Nia", "Noor", "Omar", "Ola", "Paul", "Pia", "Raj", "Rosa", "Sam", "Sara", "Tom", "Tara", "Uma", "Vic", "Wen", "Xi", "Yara", "Yuki", "Zoe", "Zane"]  # fmt: skip
LAST = ["Abbott", "Berg", "Chandra", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kaur", "Lopez", "Meyer", "Novak", "Okafor", "Park", "Quinn", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Xu", "Young", "Zhang", "Moreau", "Kowalski", "Nakamura", "Oyelaran"]  # fmt: skip
# segment -> (positions, bio phrases, companies)
SEGMENT_BIOS = {
    "clients": (["Head of Insights", "VP Marketing", "Director of Strategy", "Research Manager"],
                ["customer insight lead", "market strategy at a retail brand", "B2B marketing leader",
                 "buying research for product teams"],
                ["Contoso Retail", "Fabrikam", "Tailspin Toys", "Litware, Inc.", "Adventure Works"]),
    "peers": (["Senior Analyst", "Research Scientist", "Data Scientist", "Survey Methodologist"],
              ["market research analyst", "survey methods and data science", "researcher in consumer behaviour",
               "quant analyst, open data"],
              ["Blue Yonder Research", "Proseware Labs", "Woodgrove Analytics", "Trey Research"]),
    "press": (["Reporter", "Editor", "Columnist"],
              ["journalist covering retail", "editor at a trade magazine", "business reporter, podcast host"],
              ["Northwind Times", "The Daily Ledger", "Trade Weekly"]),
    "students": (["MSc student", "PhD candidate", "Intern"],
                 ["student of statistics", "phd candidate in marketing", "learning data analysis"],
                 ["State University", "City College"]),
    "general": (["Founder", "Consultant", "Designer", "Engineer", "Teacher"],
                ["coffee, cycling and good books", "dad of two, runner", "designer and maker",
                 "engineer by day", "travel photos", ""],
                ["Self-employed", "Acme Corp", "Globex", ""]),
}  # fmt: skip
SEGMENT_P = {"clients": 0.10, "peers": 0.16, "press": 0.03, "students": 0.08, "general": 0.63}
SPAM_BIOS = ["crypto signals daily, DM for promo", "giveaway every week! click the link", "",
             "forex passive income", "free followers fast", "airdrop alerts 🚀"]  # fmt: skip
KINDS_IN = {
    "x": (["like", "reply", "mention", "share", "dm"], [0.55, 0.15, 0.12, 0.12, 0.06]),
    "linkedin": (["reaction", "comment", "dm", "endorsement", "invitation"], [0.55, 0.2, 0.15, 0.05, 0.05]),
    "instagram": (["like", "comment", "dm"], [0.75, 0.18, 0.07]),
    "mastodon": (["like", "reply", "share", "mention"], [0.5, 0.2, 0.2, 0.1]),
    "bluesky": (["like", "reply", "share", "mention"], [0.55, 0.2, 0.15, 0.1]),
}  # fmt: skip
KINDS_OUT = {
    "x": (["reply", "mention", "dm", "share"], [0.4, 0.3, 0.2, 0.1]),
    "linkedin": (["comment", "dm", "reaction"], [0.3, 0.5, 0.2]),
    "instagram": (["comment", "dm", "like"], [0.4, 0.3, 0.3]),
    "mastodon": (["reply", "mention", "share"], [0.5, 0.3, 0.2]),
    "bluesky": (["reply", "mention", "share", "like"], [0.35, 0.2, 0.15, 0.3]),
}  # fmt: skip


def _ts(
    rng: np.random.Generator, n: int, recency_bias: np.ndarray | float | None = None
) -> np.ndarray:
    """Timestamps (µs since epoch, UTC) within the 365 days ending on END."""
    end = datetime(END.year, END.month, END.day, 23, 59, tzinfo=UTC)
    days = (
        rng.uniform(0, 365, n)
        if recency_bias is None
        else rng.beta(1.0, np.broadcast_to(recency_bias, n)) * 365
    )
    secs = end.timestamp() - days * 86400
    return (secs * 1e6).astype(np.int64)


def generate(scale: str | Scale = "sample", seed: int = 7) -> dict[str, pl.DataFrame]:
    """The story's canonical tables (accounts, connections, interactions, posts) and a
    ``touchpoints`` log frame (date, platform, handle, channel, note)."""
    sc = SCALES[scale] if isinstance(scale, str) else scale
    rng = np.random.default_rng(seed)
    conns, inters, posts, accts, touch = [], [], [], [], []
    for platform, share in PLATFORM_SHARE.items():
        n = max(20, int(sc.contacts * share))
        c = _contacts(rng, platform, n)
        conns.append(c)
        if platform in SUBSCRIBERS_ONLY:
            p = _posts(rng, platform, 0)
        else:
            i, t = _interactions(rng, platform, c, int(sc.interactions * share))
            inters.append(i)
            touch.append(t if platform in TOUCHPOINT_PLATFORMS else t.clear())
            p = _posts(rng, platform, max(5, int(sc.posts * POST_SHARE[platform])))
        posts.append(p)
        followers = int(c["follows_me"].sum())
        accts.append(
            pl.DataFrame(
                {
                    "account_id": [f"{platform}:{OWN[platform]}"],
                    "platform": [platform],
                    "handle": [OWN[platform]],
                    "display_name": [DISPLAY],
                    "snapshot_date": [END],
                    "followers": [followers],
                    "following": [int(c["i_follow"].sum())],
                    "posts_count": [p.height],
                },
                schema_overrides={"snapshot_date": pl.Date},
            )
        )
    inters, posts = _outbound_as_posts(
        pl.concat(inters, how="diagonal_relaxed"),
        pl.concat(conns),
        pl.concat(posts, how="diagonal_relaxed"),
    )
    n_posts = posts.group_by("account_id").agg(posts_count=pl.len().cast(pl.Int64))
    out = {
        "accounts": pl.concat(accts, how="diagonal_relaxed")
        .drop("posts_count")
        .join(n_posts, on="account_id", how="left"),
        "connections": pl.concat(conns),
        "interactions": inters.sort("ts"),
        "posts": posts.sort("ts"),
        "touchpoints": pl.concat(touch).sort("date"),
    }
    for t in schema.TABLES:
        cols = schema.canonical_columns(t, with_source=False)
        df = out[t]
        out[t] = df.with_columns(
            [pl.lit(None, dtype=schema.TABLES[t][c]).alias(c) for c in cols if c not in df.columns]
        ).select(cols)
    return out


def _handles(rng: np.random.Generator, platform: str, first: np.ndarray, last: np.ndarray,
             spam: np.ndarray) -> np.ndarray:  # fmt: skip
    n = len(first)
    num = np.where(rng.random(n) < 0.85, rng.integers(1, 9999, n).astype(str), "")
    base = np.char.lower(
        np.char.add(np.char.add(first, np.where(rng.random(n) < 0.5, "_", "")), last)
    )
    base = np.char.add(base, num)
    spam_h = np.char.add(np.char.lower(first), rng.integers(10_000_000, 99_999_999, n).astype(str))
    h = np.where(spam & (rng.random(n) < 0.7), spam_h, base)
    if platform == "linkedin":
        h = np.char.replace(h, "_", "-")
    if platform == "mastodon":
        servers = np.array(
            ["mastodon.example", "fediscience.example", "scholar.example", "toot.example"]
        )
        h = np.char.add(np.char.add(h, "@"), servers[rng.integers(0, len(servers), n)])
    if platform == "bluesky":  # handles are domain names: letters, digits, hyphens
        h = np.char.add(np.char.replace(h, "_", "-"), ".bsky.social")
    return h


#: platforms whose contacts appear in the touchpoints log (by handle)
TOUCHPOINT_PLATFORMS = ("x", "linkedin", "instagram", "mastodon")


def _contacts(rng: np.random.Generator, platform: str, n: int) -> pl.DataFrame:
    """Contacts: heavy-tailed follower counts, segments, 17% spam, a few tiny-but-influential."""
    first = np.array(FIRST)[rng.integers(0, len(FIRST), n)]
    last = np.array(LAST)[rng.integers(0, len(LAST), n)]
    spam = rng.random(n) < 0.17
    seg_names = list(SEGMENT_P)
    seg = np.array(seg_names)[rng.choice(len(seg_names), n, p=list(SEGMENT_P.values()))]
    handle = _handles(rng, platform, first, last, spam)
    followers = np.exp(rng.normal(5.6, 1.6, n)).astype(np.int64)
    following = np.exp(rng.normal(5.2, 0.8, n)).astype(np.int64)
    # spam: mass-following or extreme ratio
    mass = spam & (rng.random(n) < 0.6)
    following = np.where(mass, rng.integers(1_600, 7_500, n), following)
    followers = np.where(spam & ~mass, rng.integers(0, 40, n), followers)
    following = np.where(spam & ~mass, rng.integers(900, 1_500, n), following)
    positions, bios, companies = [], [], []
    for s in seg_names:
        pos, bio, comp = SEGMENT_BIOS[s]
        positions.append(np.array(pos)[rng.integers(0, len(pos), n)])
        bios.append(np.array(bio)[rng.integers(0, len(bio), n)])
        companies.append(np.array(comp)[rng.integers(0, len(comp), n)])
    idx = np.array([seg_names.index(s) for s in seg])
    position = np.choose(idx, positions)
    bio = np.choose(idx, bios)
    company = np.choose(idx, companies)
    bio = np.where(spam, np.array(SPAM_BIOS)[rng.integers(0, len(SPAM_BIOS), n)], bio)
    # tiny but influential: a few relevant contacts with large reach (warmed up later)
    tbi = np.zeros(n, bool)
    cand = np.flatnonzero(~spam & np.isin(seg, ["clients", "peers", "press"]))
    k = min(len(cand), max(2, n // 2500))
    tbi[rng.choice(cand, k, replace=False)] = True
    followers = np.where(tbi, rng.integers(40_000, 600_000, n), followers)
    if platform == "linkedin":
        follows_me = np.ones(n, bool)
        i_follow = np.ones(n, bool)
    else:
        follows_me = rng.random(n) < 0.9
        i_follow = np.where(follows_me, rng.random(n) < 0.12, True) & ~(
            spam & (rng.random(n) < 0.95)
        )
        follows_me = follows_me | ~i_follow
    if platform == "newsletter":  # subscribers: they follow you; you follow nobody
        follows_me, i_follow = np.ones(n, bool), np.zeros(n, bool)
    if platform == "x":
        cid = rng.choice(np.arange(10**15, 10**15 + 50 * n), n, replace=False).astype(str)
    else:
        cid = np.char.lower(handle)
    end_us = int(datetime(END.year, END.month, END.day, tzinfo=UTC).timestamp() * 1e6)
    connected = end_us - (rng.exponential(700, n) * 86400e6).astype(np.int64)
    names = np.char.add(np.char.add(first, " "), last)
    if platform == "bluesky":
        cid = np.array([bluesky.did_for(str(x)) for x in handle])
    elif platform == "newsletter":
        cid = np.array([
            substack_loader.contact_id(substack.email_of(str(nm), substack.EPOCH + timedelta(microseconds=int(us))))
            for nm, us in zip(names, connected, strict=True)
        ])  # fmt: skip
        handle = [None] * n  # subscribers have no handle
    return (
        pl.DataFrame(
            {
                "contact_id": cid,
                "handle": handle,
                "display_name": names,
                "bio": bio,
                "company": company if platform == "linkedin" else [None] * n,
                "position": position if platform == "linkedin" else [None] * n,
                "contact_followers": followers,
                "contact_following": following,
                "follows_me": follows_me,
                "i_follow": i_follow,
                "connected_at": connected,
                "_spam": spam,
                "_tbi": tbi,
                "_segment": seg,
            },
            schema_overrides={"company": pl.String, "position": pl.String, "handle": pl.String},
        )
        .unique(subset="contact_id", keep="first", maintain_order=True)
        .with_columns(
            account_id=pl.lit(f"{platform}:{OWN[platform]}"),
            platform=pl.lit(platform),
            connected_at=pl.col("connected_at").cast(pl.Datetime("us", "UTC")),
        )
    )


def _interactions(
    rng: np.random.Generator, platform: str, c: pl.DataFrame, n_target: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Interactions: most contacts silent, engagement heavy-tailed; a warm core with DMs
    both ways; a few call/meeting touchpoints (returned as the touchpoints log)."""
    n = c.height
    spam = c["_spam"].to_numpy()
    tbi = c["_tbi"].to_numpy()
    seg = c["_segment"].to_numpy()
    # affinity: 85% of non-spam contacts silent; the rest Pareto-distributed
    active = (~spam & (rng.random(n) < 0.05)) | tbi | (spam & (rng.random(n) < 0.02))
    aff = np.where(active, rng.pareto(1.3, n) + 0.2, 0.0)
    aff = np.where(np.isin(seg, ["clients", "peers"]), aff * 1.6, aff)
    aff = np.where(tbi, aff + 3.0, aff)
    counts = rng.poisson(aff / max(aff.sum(), 1e-9) * n_target)
    who = np.repeat(np.arange(n), counts)
    m = len(who)
    warmth = np.where(tbi[who], 4.0, 1.2)  # recency bias: warm contacts talk recently
    ts = _ts(rng, m, warmth)
    kin, pin = KINDS_IN[platform]
    kout, pout = KINDS_OUT[platform]
    outbound = rng.random(m) < np.where(tbi[who] | (aff[who] > 3), 0.4, 0.06)
    kind = np.where(
        outbound,
        np.array(kout)[rng.choice(len(kout), m, p=pout)],
        np.array(kin)[rng.choice(len(kin), m, p=pin)],
    )
    cid = c["contact_id"].to_numpy()
    post_ids = np.char.add(f"{platform}-p", rng.integers(0, 400, m).astype(str))
    inter = pl.DataFrame(
        {
            "contact_id": cid[who],
            "ts": ts,
            "kind": kind,
            "direction": np.where(outbound, "out", "in"),
            "post_id": post_ids,
        },
    ).with_columns(
        post_id=pl.when(
            pl.col("kind").is_in(["like", "reaction", "comment", "reply", "share"])
        ).then("post_id"),
        account_id=pl.lit(f"{platform}:{OWN[platform]}"),
        platform=pl.lit(platform),
        ts=pl.col("ts").cast(pl.Datetime("us", "UTC")),
    )
    # warm core: DMs both ways with the most engaged contacts
    top = np.argsort(-aff)[: max(3, n // 400)]
    dm_ts = _ts(rng, 2 * len(top), 3.0)
    dms = pl.DataFrame(
        {
            "contact_id": np.repeat(cid[top], 2),
            "ts": dm_ts,
            "kind": "dm",
            "direction": np.tile(["in", "out"], len(top)),
        }
    ).with_columns(
        account_id=pl.lit(f"{platform}:{OWN[platform]}"),
        platform=pl.lit(platform),
        ts=pl.col("ts").cast(pl.Datetime("us", "UTC")),
        post_id=pl.lit(None, pl.String),
    )
    # touchpoints: calls, meetings and coffees with some of the warm core
    k = max(2, len(top) // 3)
    tp_who = rng.choice(top, k, replace=False)
    tp_days = rng.integers(0, 300, k)
    channels = np.array(["call", "coffee", "meeting", "video call", "email"])
    touch = pl.DataFrame(
        {
            "date": [str(END - timedelta(days=int(d))) for d in tp_days],
            "platform": platform,
            "handle": c["handle"].to_numpy()[tp_who],
            "channel": channels[rng.integers(0, len(channels), k)],
            "note": "",
        }
    )
    return pl.concat([inter, dms], how="diagonal_relaxed"), touch


def _posts(rng: np.random.Generator, platform: str, n: int) -> pl.DataFrame:
    """Own posts with impressions and engagement counts (log-normal, correlated)."""
    ts = _ts(rng, n)
    impressions = np.exp(
        rng.normal({"x": 6.5, "linkedin": 7.0, "instagram": 6.8}.get(platform, 5.5), 0.9, n)
    )
    rate = np.clip(rng.normal(0.018, 0.008, n), 0.002, 0.08)
    eng = impressions * rate
    likes = (eng * 0.7).astype(np.int64)
    comments = (eng * 0.12).astype(np.int64)
    shares = (eng * 0.1).astype(np.int64)
    clicks = (eng * 0.3).astype(np.int64)
    has_impr = platform in ("x", "linkedin", "instagram")
    return pl.DataFrame(
        {
            "post_id": [f"{platform}-p{i}" for i in range(n)],
            "ts": ts,
            "text": [
                f"Northwind note #{i}: what our latest survey says about buyers" for i in range(n)
            ],
            "is_repost": rng.random(n) < 0.08,
            "impressions": impressions.astype(np.int64) if has_impr else None,
            "likes": likes,
            "comments": comments,
            "shares": shares,
            "clicks": clicks if has_impr else None,
            "engagements": (likes + comments + shares + clicks) if has_impr else None,
        },
        schema_overrides={"impressions": pl.Int64, "clicks": pl.Int64, "engagements": pl.Int64},
    ).with_columns(
        account_id=pl.lit(f"{platform}:{OWN[platform]}"),
        platform=pl.lit(platform),
        ts=pl.col("ts").cast(pl.Datetime("us", "UTC")),
    )


def _outbound_as_posts(
    inters: pl.DataFrame, conns: pl.DataFrame, posts: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """On X and Mastodon an outbound reply, mention or share *is* one of your own posts:
    give each its own post (same time, text addressing the contact), as the exports have it."""
    own = (
        pl.col("platform").is_in(["x", "mastodon", "bluesky"])
        & (pl.col("direction") == "out")
        & pl.col("kind").is_in(["reply", "mention", "share"])
    )
    inters = inters.with_row_index("_i")
    mine = inters.filter(own).join(
        conns.select("account_id", "contact_id", "handle"),
        on=["account_id", "contact_id"],
        how="left",
    )
    at = pl.col("handle").str.replace(r"@.*$", "")
    new_posts = mine.select(
        "account_id",
        "platform",
        pl.format("{}-o{}", "platform", "_i").alias("post_id"),
        "ts",
        pl.when(pl.col("kind") == "share")
        .then(pl.format("RT @{}: a note worth reading", at))
        .otherwise(pl.format("@{} thanks, that matches what our survey found", at))
        .alias("text"),
        (pl.col("kind") == "share").alias("is_repost"),
    )
    inters = inters.with_columns(
        post_id=pl.when(own).then(pl.format("{}-o{}", "platform", "_i")).otherwise("post_id")
    ).drop("_i")
    return inters, pl.concat([posts, new_posts], how="diagonal_relaxed")


def write_canonical(tables: dict[str, pl.DataFrame], out: str, fmt: str = "csv") -> list[str]:
    """Write the tables as ``<table>.csv`` (or ``.parquet``) plus ``touchpoints.csv``."""
    from pathlib import Path

    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.items():
        if name == "touchpoints":
            p = d / "touchpoints.csv"
            df.write_csv(p)
        elif fmt == "parquet":
            p = d / f"{name}.parquet"
            df.write_parquet(p)
        else:
            p = d / f"{name}.csv"
            df.write_csv(p, datetime_format="%Y-%m-%dT%H:%M:%SZ")
        written.append(str(p))
    return written
