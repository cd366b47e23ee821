"""The audit's lists (``warmcall.model.lists``) equal a plain-Python computation over the
sample's loaded tables (connections and interactions as dicts), and say "not in this export"
where an export has no follower list (the sample's Mastodon account: a following list only).
Small hand-built workbooks check the edges: a following-only account, an unsaid flag in an
account that has the list, the ghost boundary day and the top-engager tie order."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
import warmcall as wc
from helpers import conn, inter, workbook
from warmcall.model.lists import LISTS, analysis_lists
from warmcall.model.pipeline import Analysis, analyse
from warmcall.present import datafiles
from warmcall.present.audit import list_heading

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample() -> tuple[Analysis, dict, object]:
    a = analyse(ROOT / "params" / "sample.yaml")
    lists, status = analysis_lists(a)
    return a, lists, status


def _rows(a: Analysis, table: str) -> list[dict]:
    return a.workbook.scan(table).collect().to_dicts()


def _active(r: dict, T: date, days: int) -> bool:
    """A profile's posting says "still posting": a last post dated T - days + 1 or later
    (also after T). A count alone (above 0) says nothing of when, and 0 posts is inactive."""
    last_post = r["contact_last_post_at"]
    return last_post is not None and (T - last_post.date()).days < days


def _posting_known(r: dict) -> bool:
    return r["contact_last_post_at"] is not None or r["contact_posts"] == 0


def _expected(a: Analysis) -> dict[str, object]:
    """Every list by hand: loops over the connections and interactions rows."""
    T, p = a.as_of, a.params
    conns, ints = _rows(a, "connections"), _rows(a, "interactions")
    has_followers, has_following = defaultdict(bool), defaultdict(bool)
    has_in, has_out = defaultdict(bool), defaultdict(bool)
    for r in conns:
        has_followers[r["account_id"]] |= r["follows_me"] is not None
        has_following[r["account_id"]] |= r["i_follow"] is not None
    for r in ints:
        (has_in if r["direction"] == "in" else has_out)[r["account_id"]] = True
    last: dict[tuple[str, str], date] = {}
    engagement: dict[tuple[str, str], float] = defaultdict(float)
    start = T - timedelta(days=p.window_days - 1)
    for r in ints:
        d, key = r["ts"].date(), (r["account_id"], r["contact_id"])
        if d > T:
            continue
        last[key] = max(last.get(key, d), d)
        if r["direction"] == "in" and d >= start:
            engagement[key] += p.quality.kind_weights.get(r["kind"], 0.0)
    quality = {(r["account_id"], r["contact_id"]): r["quality"] for r in a.scores.to_dicts()}
    out: dict[str, set] = {n: set() for n in LISTS if n != "top_engagers"}
    for r in conns:
        acct, key = r["account_id"], (r["account_id"], r["contact_id"])
        by_t = r["connected_at"] is None or r["connected_at"].date() <= T
        fm, fi = r["follows_me"] is True and by_t, r["i_follow"] is True and by_t
        if has_followers[acct] and has_following[acct]:
            if fm and fi:
                out["mutuals"].add(key)
            if fi and not fm:
                out["not_following_back"].add(key)
            if fm and not fi:
                warm = quality[key] >= p.outreach.min_quality
                out["not_followed_back_warm" if warm else "not_followed_back_rest"].add(key)
        silent = key not in last or (T - last[key]).days >= p.lists.ghost_days
        inactive_or_unknown = not _active(r, T, p.lists.ghost_days)
        shows = has_followers[acct] and has_in[acct] and has_out[acct]
        if shows and fm and silent and inactive_or_unknown:
            out["ghosts"].add(key)
    top = []
    for acct in sorted({k[0] for k in engagement}):
        mine = [(-e, c) for (ac, c), e in engagement.items() if ac == acct and e > 0]
        top += [(acct, c, round(-ne, 2)) for ne, c in sorted(mine)[: p.lists.top_engagers]]
    return {**out, "top_engagers": top}


def test_lists_equal_a_plain_computation_on_the_sample(sample) -> None:
    a, lists, _ = sample
    want = _expected(a)
    for name in LISTS:
        df = lists[name]
        if name == "top_engagers":
            got = list(zip(df["account_id"], df["contact_id"], df["engagement"], strict=True))
            assert got == want[name], name
        else:
            got = set(zip(df["account_id"], df["contact_id"], strict=True))
            assert len(got) == df.height, f"{name}: a contact listed twice"
            assert got == want[name], name
        assert want[name], f"{name} is empty on the sample: the comparison would prove nothing"


def _with_activity(a: Analysis) -> tuple[Analysis, list[dict]]:
    """The sample with posting activity on its X followers' profiles, by their order of
    contact id i: i % 5 = 0 none; 1 no posts; 2 last post on T - D (23:00 UTC: inactive, the
    boundary day); 3 last post on T - D + 1 (00:00 UTC: active); 4 250 posts, no date."""
    from datetime import UTC, datetime, time

    import polars as pl
    from warmcall.core.schema import CONNECTIONS
    from warmcall.ingest.workbook import Workbook

    T, D = a.as_of, a.params.lists.ghost_days
    conns = _rows(a, "connections")
    fol = sorted(
        (r for r in conns if r["platform"] == "x" and r["follows_me"]),
        key=lambda r: r["contact_id"],
    )
    for i, r in enumerate(fol):
        k = i % 5
        if k == 1:
            r["contact_posts"] = 0
        elif k in (2, 3):
            day = T - timedelta(days=D - (k == 3))
            r["contact_posts"] = 9
            r["contact_last_post_at"] = datetime.combine(
                day, time(23) if k == 2 else time(0), tzinfo=UTC
            )
        elif k == 4:
            r["contact_posts"] = 250
    wb = a.workbook
    new = Workbook(
        wb.scan("accounts").collect(),
        pl.DataFrame(conns, schema=CONNECTIONS),
        wb.scan("interactions").collect(),
        wb.scan("posts").collect(),
        wb.report,
    )
    return analyse(a.params, workbook=new), conns


def test_ghosts_with_profile_activity_equal_a_plain_computation(sample) -> None:
    """Inactive (old last post, or no posts) and unknown (no date, count > 0 or none) silent
    followers are ghosts; one who posted in the last ghost_days days is not."""
    a, conns = _with_activity(sample[0])
    lists, _ = analysis_lists(a)
    want = _expected(a)
    g = lists["ghosts"]
    got = set(zip(g["account_id"], g["contact_id"], strict=True))
    assert got == want["ghosts"] and len(got) == g.height
    by_key = {(r["account_id"], r["contact_id"]): r for r in conns}
    posting = dict(
        zip(zip(g["account_id"], g["contact_id"], strict=True), g["posting"], strict=True)
    )
    for key, said in posting.items():
        assert said == ("inactive" if _posting_known(by_key[key]) else "not in this export")
    # the rule bites: silent followers dropped as active, and both kinds of ghost present
    before = sample[1]["ghosts"]
    silent_before = set(zip(before["account_id"], before["contact_id"], strict=True))
    dropped = silent_before - got
    assert dropped and all(_active(by_key[k], a.as_of, a.params.lists.ghost_days) for k in dropped)
    assert {"inactive", "not in this export"} <= set(posting.values())
    assert any(by_key[k]["contact_posts"] == 250 for k in got)  # a count alone: still a ghost
    assert any(by_key[k]["contact_last_post_at"] is not None for k in got)  # T - D: inactive


def test_list_status_counts_and_not_in_this_export(sample) -> None:
    a, lists, status = sample
    mastodon = [r for r in status.to_dicts() if r["platform"] == "mastodon"]
    assert {r["list"] for r in mastodon} == set(LISTS)
    for r in mastodon:  # a following list only, and nothing others did
        assert r["people"] is None and r["note"].startswith("not in this export: ")
    follow_lists = [r for r in mastodon if r["list"] != "top_engagers"]
    assert all("no list of your followers" in r["note"] for r in follow_lists)
    # what the other exports cannot show (their loaders' docstrings): a Bluesky repository and
    # followers page hold nothing others did (no inbound, no messages); a Substack list holds
    # subscribers only (no following list, nothing inbound)
    unknown = {
        "bluesky": {"ghosts", "top_engagers"},
        "newsletter": set(LISTS),
    }
    inbound = dict(a.signals.select("account_id", "inbound").iter_rows())
    for r in status.to_dicts():
        if r["platform"] == "mastodon":
            continue
        n = sum(1 for x in lists[r["list"]]["account_id"] if x == r["account_id"])
        if r["list"] in unknown.get(r["platform"], set()):
            assert r["people"] is None and n == 0, (r["platform"], r["list"])
            assert r["note"].startswith("not in this export: ")
        elif r["list"] == "top_engagers" and not inbound[r["account_id"]]:
            # received messages only (Instagram's inbox): the list says what it is made of
            assert r["people"] == n and r["note"].startswith("from messages received only")
        else:
            assert r["people"] == n and r["note"] is None, (r["platform"], r["list"])
    assert {r["platform"] for r in status.to_dicts()} >= {"x", "bluesky", "newsletter"}


T = date(2026, 11, 13)
P = {"as_of": "2026-11-13", "window_days": 90, "lists": {"ghost_days": 30, "top_engagers": 2}}


def _fixture_lists() -> tuple[dict, object]:
    """x:me has both lists; ghost boundary: g29 last seen 29 days before T (inside the 30-day
    span T-29..T), g30 30 days before (outside); e1/e2/e3 engaged (weights: comment 2, like
    0.5): e1 2 comments = 4, e2 and e3 a comment each = 2, tie broken by id. m:me has only a
    following list (Mastodon's following_accounts.csv)."""
    conns = [
        conn("mut", follows_me=True, i_follow=True),
        conn("fol", follows_me=True, i_follow=False),
        conn("unsaid", i_follow=True),  # follows_me not given: in an account with the list
        conn("g29", follows_me=True, i_follow=False),
        conn("g30", follows_me=True, i_follow=False),
        conn("later", follows_me=True, connected_at="2026-12-01T00:00:00Z"),
        conn("f1", account="m:me", platform="mastodon", i_follow=True),
    ]
    ints = [
        inter("g29", "2026-10-15", "like", "in"),
        inter("g30", "2026-10-14", "reply", "out"),
        inter("e1", "2026-11-01", "comment", "in"),
        inter("e1", "2026-11-02", "comment", "in"),
        inter("e3", "2026-11-03", "comment", "in"),
        inter("e2", "2026-11-03", "comment", "in"),
        inter("old", "2026-01-01", "comment", "in"),  # before the window
        inter("fol", "2026-11-20", "comment", "in"),  # after T: ignored
        inter("f1", "2026-11-01", "reply", "out", account="m:me", platform="mastodon"),
    ]
    a = wc.analyse(P, workbook=workbook(connections=conns, interactions=ints))
    assert a.as_of == T
    return analysis_lists(a)


def test_list_edges_on_a_hand_built_workbook() -> None:
    lists, status = _fixture_lists()

    def ids(name: str, account: str = "x:me") -> list[str]:
        df = lists[name]
        return [c for a, c in zip(df["account_id"], df["contact_id"], strict=True) if a == account]

    assert ids("mutuals") == ["mut"]
    assert ids("not_following_back") == ["unsaid"]
    assert sorted(ids("not_followed_back_rest") + ids("not_followed_back_warm")) == [
        "fol",
        "g29",
        "g30",
    ]  # fmt: skip  ("later" connected after T)
    assert sorted(ids("ghosts")) == ["fol", "g30", "mut"]  # fol: only after T; mut: never
    assert ids("top_engagers") == ["e1", "e2"]
    assert list(lists["top_engagers"]["engagement"]) == [4.0, 2.0]
    m = {r["list"]: r for r in status.to_dicts() if r["account_id"] == "m:me"}
    assert m["mutuals"]["people"] is None
    assert m["mutuals"]["note"] == "not in this export: the export has no list of your followers"
    assert all(not ids(n, "m:me") for n in LISTS)
    # x:me's top engagers come from replies, likes and comments: no note
    assert {r["list"]: r for r in status.to_dicts() if r["account_id"] == "x:me"}[
        "top_engagers"
    ]["note"] is None  # fmt: skip


def test_top_engagers_from_messages_alone_say_so() -> None:
    """An export whose only engagement by others is received messages (LinkedIn's
    messages.csv) lists who wrote most, and its status says what the list is made of."""
    conns = [conn("w1", account="l:me", platform="linkedin", follows_me=True, i_follow=True),
             conn("w2", account="l:me", platform="linkedin", follows_me=True, i_follow=True)]  # fmt: skip
    ints = [
        inter("w1", "2026-11-01", "dm", "in", account="l:me", platform="linkedin"),
        inter("w1", "2026-11-02", "dm", "in", account="l:me", platform="linkedin"),
        inter("w2", "2026-11-03", "dm", "in", account="l:me", platform="linkedin"),
        inter("w2", "2026-11-04", "dm", "out", account="l:me", platform="linkedin"),
    ]
    a = wc.analyse(P, workbook=workbook(connections=conns, interactions=ints))
    lists, status = analysis_lists(a)
    assert a.signals.filter(pl.col("account_id") == "l:me")["inbound"].to_list() == [False]
    assert list(lists["top_engagers"]["contact_id"]) == ["w1", "w2"]
    (row,) = status.filter(pl.col("list") == "top_engagers").to_dicts()
    assert row["people"] == 2 and row["note"].startswith("from messages received only")
    heading = list_heading("top_engagers", lists["top_engagers"], status)
    assert "l:me: from messages received only" in heading


def test_a_list_is_saved_as_csv_parquet_and_vcard(sample, tmp_path) -> None:
    import csv

    import polars as pl
    import vobject
    from warmcall.present import audit

    a, lists, _ = sample
    people = lists["top_engagers"]
    html = audit.save_list(a, str(tmp_path), "top_engagers", people)
    datafiles.finish_writes()
    assert 'href="data/top_engagers.csv"' in html and 'href="data/top_engagers.vcf"' in html
    data = tmp_path / "data"
    with (data / "top_engagers.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert pl.read_parquet(data / "top_engagers.parquet").equals(people)
    cards = list(vobject.readComponents((data / "top_engagers.vcf").read_text(encoding="utf-8")))
    assert len(cards) == len(rows) == people.height
    for card, r in zip(cards, rows, strict=True):
        assert card.fn.value == (r["display_name"] or r["handle"] or r["contact_id"])
        assert card.url.value == r["profile_url"]


def test_a_long_list_has_every_row_in_csv_and_the_first_vcard_max_as_vcards(
    sample, tmp_path
) -> None:
    """params.lists.vcard_max caps the cards (in list order), never the CSV."""
    import csv
    import dataclasses

    import vobject
    from warmcall.present import audit

    a, lists, _ = sample
    people = lists["ghosts"]
    cap = 7
    assert people.height > cap
    lists_params = a.params.lists.model_copy(update={"vcard_max": cap})
    capped = dataclasses.replace(a, params=a.params.model_copy(update={"lists": lists_params}))
    html = audit.save_list(capped, str(tmp_path), "ghosts", people)
    datafiles.finish_writes()
    assert f"vCard (the first {cap})" in html
    with (tmp_path / "data" / "ghosts.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == people.height
    text = (tmp_path / "data" / "ghosts.vcf").read_text(encoding="utf-8")
    cards = list(vobject.readComponents(text))
    assert [c.fn.value for c in cards] == [
        r["display_name"] or r["handle"] or r["contact_id"] for r in rows[:cap]
    ]


def test_redacted_lists_keep_their_people(sample, tmp_path) -> None:
    """With ``redact: true`` the engagement is matched to the pseudonymized contacts, so every
    list has the same length per account; no name, and no profile link in the vCards."""
    from warmcall.core.params import load_params
    from warmcall.present.vcards import list_cards

    a, lists, _ = sample
    p = load_params(ROOT / "params" / "sample.yaml").model_copy(
        update={"redact": True, "redact_key_file": tmp_path / "redact.key"}
    )
    r_lists, _ = analysis_lists(analyse(p))
    for name in LISTS:
        assert (
            r_lists[name]
            .group_by("account_id")
            .len()
            .sort("account_id")
            .equals(lists[name].group_by("account_id").len().sort("account_id"))
        ), name
    assert all(df["profile_url"].null_count() == df.height for df in r_lists.values())
    cards = list_cards(r_lists["top_engagers"], "Top engagers", redact=True)
    assert cards["url"].null_count() == cards.height
    names = set(lists["top_engagers"]["display_name"].drop_nulls())
    assert names and not names & set(cards["name"])


def test_ghost_posting_edges_and_the_page_sentence() -> None:
    """ghost_days 30, T = 2026-11-13, every follower silent except "talk": T - 30 =
    2026-10-14 is outside the span T - 29 … T, 2026-10-15 inside. Expected by the rule:
    old (last post 2026-10-14 23:59) and zero (0 posts) are inactive ghosts; many (120 posts,
    no date) and bare (no profile) are ghosts whose posting is not in the export; new
    (2026-10-15 00:00), after (a post after T) and zero_recent (0 posts but a dated post in
    the span: the date decides) are active; talk spoke in the span."""

    def f(cid: str, **kw) -> dict:
        return conn(cid, follows_me=True, i_follow=False, **kw)

    conns = [
        f("old", contact_posts=5, contact_last_post_at="2026-10-14T23:59:00Z"),
        f("zero", contact_posts=0),
        f("many", contact_posts=120),
        f("bare"),
        f("new", contact_last_post_at="2026-10-15T00:00:00Z"),
        f("after", contact_last_post_at="2026-11-20T08:00:00Z"),
        f("zero_recent", contact_posts=0, contact_last_post_at="2026-11-01T00:00:00Z"),
        f("talk", contact_posts=0),
    ]
    ints = [inter("talk", "2026-11-10", "reply", "in"), inter("talk", "2026-11-11", "reply", "out")]
    a = wc.analyse(P, workbook=workbook(connections=conns, interactions=ints))
    lists, status = analysis_lists(a)
    g = lists["ghosts"]
    got = dict(zip(g["contact_id"], g["posting"], strict=True))
    assert got == {
        "old": "inactive",
        "zero": "inactive",
        "many": "not in this export",
        "bare": "not in this export",
    }
    assert dict(zip(g["contact_id"], g["last_post"], strict=True))["old"] == date(2026, 10, 14)
    text = list_heading("ghosts", g, status)
    assert "4 people." in text
    assert "2 of them have stopped" in text and "for the other 2 ghosts" in text
    one = list_heading("ghosts", g.filter(g["contact_id"] == "bare"), status)
    assert "1 person." in one and "the silence alone put them here" in one


def test_follow_back_note_says_why_a_table_is_empty():
    """Empty follow-back table: "not in this export" when no account has both a follower and
    a following list; else a sentence that none passes the rule; None with suggestions."""
    import polars as pl
    from warmcall.present import audit as audit_page

    class A:  # the two fields follow_back_note reads
        def __init__(self, follows_me, i_follow):
            self.scores = pl.DataFrame(
                {"account_id": ["li:me"], "platform": ["linkedin"], "follows_me": [follows_me],
                 "i_follow": [i_follow]},
                schema_overrides={"follows_me": pl.Boolean, "i_follow": pl.Boolean},
            )  # fmt: skip
            self.signals = pl.DataFrame({"account_id": ["li:me"], "platform": ["linkedin"]})

    empty = pl.DataFrame({"handle": []}, schema={"handle": pl.String})
    blind = audit_page.follow_back_note(A(True, None), empty)
    assert blind is not None and "not in this export" in blind
    both = audit_page.follow_back_note(A(True, True), empty)
    assert both is not None and both.startswith("No suggestions") and "not in" not in both
    assert audit_page.follow_back_note(A(True, True), pl.DataFrame({"handle": ["x"]})) is None


def test_in_quality_order_says_whether_a_sort_would_change_anything() -> None:
    """``lists.in_quality_order`` (which lets the lists skip their sort) is True exactly
    when sorting by ``QUALITY_ORDER`` leaves the frame as it is: random small frames with
    ties, nulls and signed zeros, in random and in sorted order."""
    import numpy as np
    import polars as pl
    from warmcall.model.lists import QUALITY_ORDER, in_quality_order

    rng = np.random.default_rng(7)
    seen = {True: 0, False: 0}
    for _ in range(300):
        n = int(rng.integers(0, 7))
        df = pl.DataFrame(
            {
                "account_id": [str(x) if x else None for x in rng.choice(["", "a", "b"], n)],
                "quality": [
                    None if q == 9 else float(q) for q in rng.choice([-0.0, 0, 1, 2, 9], n)
                ],
                "contact_id": [
                    str(x) if x else None for x in rng.choice(["", "c1", "c2", "c3"], n)
                ],
            },
            schema={"account_id": pl.String, "quality": pl.Float64, "contact_id": pl.String},
        )
        for frame in (df, df.sort(QUALITY_ORDER[0], descending=QUALITY_ORDER[1])):
            want = frame.equals(frame.sort(QUALITY_ORDER[0], descending=QUALITY_ORDER[1]))
            assert in_quality_order(frame) == want, frame
            seen[want] += 1
    assert min(seen.values()) > 50  # both answers were tested
    nan = pl.DataFrame({"account_id": ["a", "a"], "quality": [float("nan"), 1.0],
                        "contact_id": ["x", "y"]})  # fmt: skip
    assert not in_quality_order(nan)


def test_an_empty_list_links_its_csv_without_saying_all_0(sample, tmp_path) -> None:
    from warmcall.present import audit

    a, lists, _ = sample
    empty = lists["mutuals"].head(0)
    html = audit.save_list(a, str(tmp_path), "mutuals", empty)
    datafiles.finish_writes()
    assert "All 0" not in html and "vCard" not in html
    assert 'Nobody: <a href="data/mutuals.csv">CSV</a>' in html
    assert (tmp_path / "data" / "mutuals.csv").read_text(encoding="utf-8").count("\n") == 1
