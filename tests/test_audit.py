"""Hygiene rules, identity matching, reach, tiny-but-influential and redaction, at their
boundaries, on hand-built fixtures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import warmcall as wc
from helpers import conn, inter, workbook
from warmcall.core.params import Influence
from warmcall.model import reach
from warmcall.model.redact import redact_contacts

P = {"as_of": "2026-06-30", "window_days": 90}


def flags_of(
    connections: list[dict], interactions: list[dict] = (), params: dict = P
) -> dict[str, tuple]:
    s = wc.score(workbook(connections=connections, interactions=list(interactions)), params)
    return {r["contact_id"]: (tuple(r["flags"]), r["flagged"]) for r in s.iter_rows(named=True)}


def test_hygiene_rules_at_boundaries() -> None:
    bio = {"bio": "researcher"}
    got = flags_of(
        [
            conn("f1500", contact_following=1500, contact_followers=1000, **bio),  # not over 1,500
            conn("f1501", contact_following=1501, contact_followers=1000, **bio),
            conn(
                "ratio20", contact_following=400, contact_followers=20, **bio
            ),  # exactly 20: not over
            conn("ratio21", contact_following=420, contact_followers=20, **bio),
            conn(
                "ratio_small", contact_following=199, contact_followers=1, **bio
            ),  # under 200 following
            conn("spam", bio="Weekly GIVEAWAY, click the link"),
            conn(
                "weak_one", bio="", handle="maria48291734"
            ),  # empty bio + default handle: both weak
            conn("weak_bio", bio=""),  # only one weak rule -> listed, not flagged
            conn("talks", contact_following=5000, **bio),  # two-way: never flagged
            conn(
                "multi",
                contact_following=5000,
                contact_followers=10,
                bio="airdrop",
                handle="promo1234567",
            ),  # every rule but the empty bio, in rule order
        ],
        [inter("talks", "2026-06-01", "reply", "in"), inter("talks", "2026-06-02", "reply", "out")],
    )
    assert got["f1500"] == ((), False)
    assert got["f1501"] == (("mass-following",), True)
    assert got["ratio20"] == ((), False)
    assert got["ratio21"] == (("follow ratio",), True)
    assert got["ratio_small"] == ((), False)
    assert got["spam"] == (("spam keywords",), True)
    assert got["weak_one"] == (("default-looking handle", "empty bio"), True)
    assert got["weak_bio"] == (("empty bio",), False)
    assert got["talks"] == (("mass-following",), False)
    assert got["multi"] == (
        ("mass-following", "follow ratio", "default-looking handle", "spam keywords"),
        True,
    )


def test_identity_rules(tmp_path: Path) -> None:
    conns = [
        conn("111", handle="JaneDoe"),  # x
        conn("janedoe", platform="instagram", account="instagram:me", handle="@janedoe"),
        conn(
            "jane-doe",
            platform="linkedin",
            account="linkedin:me",
            handle="jane-doe",
            display_name="Jane Doe",
            company="Contoso",
        ),  # fmt: skip
        conn("222", handle="bobby"),  # x
        conn("bobby", platform="instagram", account="instagram:me", handle="bobby"),
        conn(
            "bobby@a.example", platform="mastodon", account="mastodon:me", handle="bobby@a.example"
        ),
        conn(
            "bobby@b.example", platform="mastodon", account="mastodon:me", handle="bobby@b.example"
        ),
        conn("333", handle="al"),  # too short for handle matching
        conn("al", platform="instagram", account="instagram:me", handle="al"),
        conn(
            "carol-x",
            platform="linkedin",
            account="linkedin:me",
            display_name="Carol  Ng",
            company="Fabrikam",
        ),
        conn("444", handle="cng", display_name="carol ng", company="fabrikam"),
    ]
    wb = workbook(connections=conns)
    s = wc.score(wb, P)
    pid = dict(zip(s["contact_id"], s["person_id"], strict=True))
    assert pid["111"] == pid["janedoe"] == "h:janedoe"
    assert pid["jane-doe"] is None  # different handle, no company match on another platform
    assert pid["222"] is None and pid["bobby"] is None  # ambiguous: two mastodon bobbys
    assert pid["333"] is None  # handle shorter than 5
    assert pid["carol-x"] == pid["444"] == "n:carol ng|fabrikam"
    # multiplexity counts platforms: janedoe is on two platforms
    n_pl = dict(zip(s["contact_id"], s["n_platforms"], strict=True))
    assert n_pl["111"] == n_pl["janedoe"] == 2
    # a contact with no person is on its own platform only, even where two share a handle
    assert n_pl["222"] == n_pl["bobby"] == n_pl["333"] == 1
    # identities.csv is authoritative and can link what automatic matching cannot
    ids = tmp_path / "identities.csv"
    ids.write_text("person,platform,handle\njane,linkedin,jane-doe\njane,x,@JaneDoe\n")
    s2 = wc.score(wb, {**P, "identities": str(ids)})
    pid2 = dict(zip(s2["contact_id"], s2["person_id"], strict=True))
    assert pid2["jane-doe"] == pid2["111"] == "p:jane"
    assert pid2["janedoe"] == "h:janedoe"  # the instagram one still matches automatically
    s3 = wc.score(wb, {**P, "identity_auto": False})
    assert s3["person_id"].null_count() == s3.height


def test_reach_influential_and_follow_back() -> None:
    conns = [
        conn(f"c{i}", follows_me=True, contact_followers=10 * (i + 1), bio="hello")
        for i in range(10)
    ]
    conns += [
        conn("big", follows_me=True, contact_followers=10_000, bio="market research"),
        conn(
            "bigspam",
            follows_me=True,
            contact_followers=50_000,
            bio="crypto signals",
            contact_following=4000,
        ),
        conn(
            "nofollow", follows_me=True, i_follow=False, bio="survey analyst", contact_followers=5
        ),
    ]
    ints = [inter("big", "2026-06-01", "comment", "in"), inter("c0", "2026-06-02", "reply", "in"),
            inter("bigspam", "2026-06-03", "comment", "in")]  # fmt: skip
    s = wc.score(
        workbook(connections=conns, interactions=ints),
        {**P, "relevance": {"research": 2, "survey": 1}},
    )
    r = reach.reach_table(s).row(0, named=True)
    assert r["raw_reach"] == sum(10 * (i + 1) for i in range(10)) + 10_000 + 50_000 + 5
    assert r["warm_reach"] == 10_000 + 10 + 50_000  # big, c0, bigspam are engaged
    tbi = reach.tiny_but_influential(s, Influence(reach_quantile=0.9, min_relevance=3))
    assert tbi["contact_id"].to_list() == ["big"]  # bigspam flagged; c0 neither large nor relevant
    fb = reach.follow_back(s)
    assert fb["contact_id"].to_list() == ["big", "nofollow"]  # relevance 2, then 1


def test_redaction_hides_names_everywhere() -> None:
    df = pl.DataFrame({"platform": ["x", "x"], "contact_id": ["1", "2"], "handle": ["alice", "bob"],
                       "display_name": ["Alice A", "Bob B"], "bio": ["alice's bio", None], "person_id": ["p:a", None]})  # fmt: skip
    a = redact_contacts(df, b"k" * 32)
    b = redact_contacts(df, b"k" * 32)
    assert a.equals(b)  # stable
    text = a.write_csv()
    for secret in ("alice", "Alice", "bob", "Bob", "p:a"):
        assert secret not in text
    assert a["handle"][0] != a["handle"][1]
    assert redact_contacts(df, b"o" * 32)["handle"][0] != a["handle"][0]


def test_profile_column_renders_safe_links_only() -> None:
    import polars as pl
    from warmcall.present.display import html_table_str

    df = pl.DataFrame({"profile": ["https://x.com/i/user/12", "javascript:alert(1)",
                                   'https://e.example/"onmouseover=x', None]})  # fmt: skip
    out = html_table_str(df)
    assert out.count("<a ") == 2
    assert 'href="https://x.com/i/user/12"' in out and "javascript:<wbr>alert(1)</bdi>" in out
    assert 'href="https://e.example/&quot;onmouseover=x"' in out  # quoted, never an attribute
    assert 'rel="noopener noreferrer nofollow"' in out
