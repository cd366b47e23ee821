"""loaders/mapped.py: any CSV through a YAML mapping (docs/mapping.md)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.accounting import finalize
from warmcall.ingest.enrich import enrich_profiles
from warmcall.ingest.loaders import canonical, mapped
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.sources import Source

# An influencer list (latin-1): 5 data rows -> 3 loaded, 2 rejected.
INFLUENCERS = (
    "Rank,Channel Info,Category,Followers,Eng Rate,Avg. Likes,Country\n"
    "1,cristiano,sports,475.8m,1.5%,8.7m,Portugal\n"  # line 2: ok
    '2,café_lover,food,"3,401",4.5%,1.2k,France\n'  # line 3: ok, é in latin-1
    "3,badnum,music,12abc,2%,-,Spain\n"  # line 4: unparsable number in followers
    "4,ghost,music,1.2345k,N/A,,Spain\n"  # line 5: not a whole number in followers
    "5,@Dana,art,2b,,900,Brazil\n"  # line 6: ok, leading @ dropped
)
INFLUENCER_MAPPING = """\
platform: instagram
table: accounts
columns:
  handle: Channel Info
  followers: Followers
  engagement_rate: Eng Rate
  avg_likes: Avg. Likes
constants:
  snapshot_date: 2022-10-01
"""


def _write(p: Path, text: str, encoding: str = "utf-8") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(text.encode(encoding))
    return p


@pytest.fixture
def influencers(tmp_path: Path) -> tuple[Path, Path]:
    csv = _write(tmp_path / "in" / "top_instagram.csv", INFLUENCERS, "latin-1")
    mp = _write(tmp_path / "influencers.yaml", INFLUENCER_MAPPING)
    return csv, mp


def test_influencer_list_latin1_with_encoding_option(influencers: tuple[Path, Path]) -> None:
    csv, mp = influencers
    wb = warmcall.load(csv, mapping=mp, encoding="latin-1")
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (5, 3, 2)
    assert rep.rows_read == rep.rows_loaded + rep.rows_rejected
    assert rep.format == "mapped-accounts"
    assert rep.rejects == [
        {"line": 4, "reason": "unparsable number in followers ('12abc')"},
        {"line": 5, "reason": "not a whole number in followers ('1.2345k')"},
    ]
    a = wb.accounts.sort("followers")
    assert a["account_id"].to_list() == [
        "instagram:café_lover", "instagram:cristiano", "instagram:Dana",
    ]  # fmt: skip
    assert a["handle"].to_list() == ["café_lover", "cristiano", "Dana"]
    assert a["platform"].to_list() == ["instagram"] * 3
    assert a["followers"].to_list() == [3401, 475_800_000, 2_000_000_000]
    assert a["engagement_rate"].to_list() == [0.045, 0.015, None]  # fractions
    assert a["avg_likes"].to_list() == [1200.0, 8_700_000.0, 900.0]
    assert a["snapshot_date"].to_list() == [date(2022, 10, 1)] * 3


def test_latin1_without_encoding_is_an_input_error(influencers: tuple[Path, Path]) -> None:
    csv, mp = influencers
    with pytest.raises(InputError) as e:
        warmcall.load(csv, mapping=mp)
    assert str(csv) in str(e.value) and "--encoding" in str(e.value)


def test_encoding_from_mapping_and_option_wins(
    tmp_path: Path, influencers: tuple[Path, Path]
) -> None:
    csv, _ = influencers
    mp_latin = _write(tmp_path / "m1.yaml", INFLUENCER_MAPPING + "encoding: latin-1\n")
    wb = warmcall.load(csv, mapping=mp_latin)
    assert "instagram:café_lover" in wb.accounts["account_id"].to_list()
    mp_utf8 = _write(tmp_path / "m2.yaml", INFLUENCER_MAPPING + "encoding: utf-8\n")
    with pytest.raises(InputError):
        warmcall.load(csv, mapping=mp_utf8)
    wb = warmcall.load(csv, mapping=mp_utf8, encoding="latin-1")  # the option wins
    assert wb.accounts.height == 3


def test_mapping_as_dict_and_zip_and_folder(tmp_path: Path) -> None:
    # two CSVs (2 + 1 rows, all good) and a non-CSV member that is ignored
    a = "handle,followers\nann,1k\nben,2\n"
    b = "handle,followers\ncat,3.5K\n"
    folder = tmp_path / "lists"
    _write(folder / "a.csv", a)
    _write(folder / "sub" / "b.CSV", b)
    _write(folder / "readme.txt", "not a csv")
    zp = tmp_path / "lists.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("a.csv", a)
        zf.writestr("sub/b.CSV", b)
        zf.writestr("readme.txt", "not a csv")
    mapping = {
        "platform": "x",
        "table": "accounts",
        "columns": {"handle": "handle", "followers": "followers"},
    }
    for path in (folder, zp):
        wb = warmcall.load(path, mapping=mapping)
        assert wb.report.rows_read == 3 and wb.report.rows_loaded == 3
        assert len(wb.report.sources) == 2
        got = dict(zip(wb.accounts["account_id"], wb.accounts["followers"], strict=True))
        assert got == {"x:ann": 1000, "x:ben": 2, "x:cat": 3500}


def test_missing_mapped_column_names_csv_and_column(tmp_path: Path) -> None:
    csv = _write(tmp_path / "list.csv", "handle,followers\nann,1k\n")
    mapping = {
        "platform": "x",
        "table": "accounts",
        "columns": {"handle": "handle", "followers": "Followers Count", "following": "Following"},
    }
    with pytest.raises(InputError) as e:
        warmcall.load(csv, mapping=mapping)
    msg = str(e.value)
    assert msg.startswith(str(csv) + ":")
    assert "'Followers Count'" in msg and "'Following'" in msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("yaml_text", "needle"),
    [
        ("platform: x\ntabel: accounts\ncolumns: {handle: h}\n", "'tabel'"),
        ("platform: x\ntable: accounts\ncolumns: {handle: h}\nextra_thing: 1\n", "'extra_thing'"),
        ("platform: x\ntable: accounts\ncolumns: {handle: h, follwers: f}\n", "columns.follwers"),
        ("platform: x\ntable: accounts\ncolumns: [handle]\n", "'columns'"),
        ("platform: x\ntable: tweets\ncolumns: {handle: h}\n", "'table'"),
        ("platform: myspace\ntable: accounts\ncolumns: {handle: h}\n", "'platform'"),
        (
            "platform: x\ntable: accounts\ncolumns: {handle: h}\nconstants: {followers: lots}\n",
            "constants.followers",
        ),
        (
            "platform: x\ntable: accounts\ncolumns: {handle: h}\naccount_columns: {followers: f}\n",
            "'account_columns'",
        ),
        (
            "platform: x\ntable: posts\ncolumns: {post_id: i}\naccount_columns: {folowers: f}\n",
            "account_columns.folowers",
        ),
        ("platform: x\ntable: accounts\ncolumns: {handle: h}\nencoding: klingon\n", "'encoding'"),
        ("table: accounts\ncolumns: {handle: h}\n", "'platform'"),
        (
            "platform: x\ntable: accounts\ncolumns: {followers: f}\n"
            "constants: {handle: a}\naccount_handle: b\n",
            "'constants.handle' and 'account_handle'",
        ),
    ],
)
def test_bad_mapping_names_file_and_key(tmp_path: Path, yaml_text: str, needle: str) -> None:
    csv = _write(tmp_path / "list.csv", "h,f,i\nann,1,2\n")
    mp = _write(tmp_path / "bad-mapping.yaml", yaml_text)
    with pytest.raises(InputError) as e:
        warmcall.load(csv, mapping=mp)
    msg = str(e.value)
    assert msg.startswith(str(mp) + ":"), msg
    assert needle in msg, msg


def test_mapping_file_not_yaml_or_missing(tmp_path: Path) -> None:
    csv = _write(tmp_path / "list.csv", "h\nann\n")
    with pytest.raises(InputError, match="mapping file not found"):
        warmcall.load(csv, mapping=tmp_path / "nope.yaml")
    mp = _write(tmp_path / "m.yaml", "platform: [x\n")
    with pytest.raises(InputError, match="YAML"):
        warmcall.load(csv, mapping=mp)


# A tweets dataset with author follower counts: 5 records on 6 data lines.
TWEETS = (
    "user_name,user_followers,id,date,text,favorites,retweets\n"
    'alice,"1,200",101,2022-10-01 10:00:00,hello,5,1\n'  # line 2: ok
    'alice,"1,200",102,2022-10-02 11:00:00,"multi\nline, text",7,2\n'  # lines 3-4: ok
    "bob,3.4k,103,not a date,oops,1,0\n"  # line 5: validator rejects the timestamp
    "bob,3.4k,104,2022-10-03 09:00:00,again,2,x\n"  # line 6: unparsable number in shares
    "bob,3.4k,105,2022-10-04 09:00:00,third,3,1\n"  # line 7: ok, carries bob's account
)
TWEETS_MAPPING = {
    "platform": "x",
    "table": "posts",
    "columns": {"post_id": "id", "ts": "date", "text": "text", "likes": "favorites",
                "shares": "retweets"},
    "account_columns": {"handle": "user_name", "followers": "user_followers"},
    "constants": {"snapshot_date": "2022-10-05"},
}  # fmt: skip


def test_posts_with_account_columns(tmp_path: Path) -> None:
    csv = _write(tmp_path / "tweets.csv", TWEETS)
    wb = warmcall.load(csv, mapping=TWEETS_MAPPING)
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (5, 3, 2)
    assert rep.rejects == [
        {"line": 5, "reason": "unparsable timestamp in ts"},
        {"line": 6, "reason": "unparsable number in shares ('x')"},
    ]
    p = wb.posts.sort("post_id")
    assert p["post_id"].to_list() == ["101", "102", "105"]
    assert p["account_id"].to_list() == ["x:alice", "x:alice", "x:bob"]
    assert p["likes"].to_list() == [5, 7, 3]
    assert p["shares"].to_list() == [1, 2, 1]
    assert p["text"][1] == "multi\nline, text"
    assert p["ts"][0] == datetime(2022, 10, 1, 10, 0, tzinfo=UTC)
    assert p["source"].to_list() == [f"{csv}:2", f"{csv}:3", f"{csv}:7"]
    a = wb.accounts.sort("account_id")
    # one accounts row per distinct account; bob's first two records are rejected, so
    # his third record carries the account row
    assert a["account_id"].to_list() == ["x:alice", "x:bob"]
    assert a["handle"].to_list() == ["alice", "bob"]
    assert a["followers"].to_list() == [1200, 3400]
    assert a["snapshot_date"].to_list() == [date(2022, 10, 5)] * 2


def test_formats_and_handle_column_for_interactions(tmp_path: Path) -> None:
    # 3 records: ok, ok, bad date -> 2 loaded, 1 rejected
    text = (
        "me,who,when\n"
        "@Alice,2222,02/11/2026 09:30\n"
        "@Alice,3333,03/11/2026 10:00\n"
        "@Alice,4444,2026-11-04\n"
    )
    csv = _write(tmp_path / "likes.csv", text)
    mapping = {
        "platform": "x",
        "table": "interactions",
        "columns": {"contact_id": "who", "ts": "when"},
        "constants": {"kind": "like", "direction": "in"},
        "handle_column": "me",
        "formats": {"ts": "%d/%m/%Y %H:%M"},
    }
    wb = warmcall.load(csv, mapping=mapping)
    assert wb.report.sources[0].rejects == [
        {"line": 4, "reason": "unparsable timestamp in ts ('2026-11-04')"}
    ]
    i = wb.interactions.sort("contact_id")
    assert i["account_id"].to_list() == ["x:Alice", "x:Alice"]
    assert i["ts"].to_list() == [
        datetime(2026, 11, 2, 9, 30, tzinfo=UTC), datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
    ]  # fmt: skip
    assert i["kind"].to_list() == ["like", "like"] and i["direction"].to_list() == ["in", "in"]


def test_connections_contact_id_from_handle(tmp_path: Path) -> None:
    # 2 records, both ok; contact_id = normalized handle
    csv = _write(tmp_path / "fans.csv", "Username,Fans\n@Bob.B,1.2k\nCAROL,-\n")
    mapping = {
        "platform": "instagram",
        "table": "connections",
        "columns": {"handle": "Username", "contact_followers": "Fans"},
        "constants": {"follows_me": True},
        "account_handle": "alice",
    }
    wb = warmcall.load(csv, mapping=mapping)
    c = wb.connections.sort("contact_id")
    assert c["contact_id"].to_list() == ["bob.b", "carol"]
    assert c["handle"].to_list() == ["@Bob.B", "CAROL"]
    assert c["account_id"].to_list() == ["instagram:alice"] * 2
    assert c["contact_followers"].to_list() == [1200, None]
    assert c["follows_me"].to_list() == [True, True]


def test_mapped_profiles_enrich_connections(tmp_path: Path) -> None:
    """An audience tool's follower list (table: profiles) enriches export connections."""
    exp = tmp_path / "export"
    # 2 connections of x:alice, ids only
    _write(exp / "connections.csv", "account_id,platform,contact_id,follows_me\n"
           "x:alice,x,2222,true\nx:alice,x,3333,true\n")  # fmt: skip
    # 3 profile records: line 2 matches 2222 by id, line 3 matches nobody, line 4 has a
    # bad count -> rejected by the mapped loader
    tool = _write(tmp_path / "audience.csv", "User ID,Handle,Bio,Followers\n"
                  "2222,@Bob,Cyclist,12.5k\n9999,zed,,3\n3333,carol,,lots\n")  # fmt: skip
    mapping = {
        "platform": "x",
        "table": "profiles",
        "columns": {"contact_id": "User ID", "handle": "Handle", "bio": "Bio",
                    "contact_followers": "Followers"},
    }  # fmt: skip
    res = LoadResult()
    res.extend(canonical.load(Source.open(exp)))
    res.extend(mapped.load_mapped(Source.open(tool), mapping))
    enrich_profiles(res)
    assert "profiles" not in res.tables
    tables, report = finalize(res)
    c = tables["connections"].sort("contact_id")
    assert c["handle"].to_list() == ["@Bob", None]
    assert c["bio"].to_list() == ["Cyclist", None]
    assert c["contact_followers"].to_list() == [12500, None]
    src = next(s for s in report.sources if s.path == str(tool))
    assert (src.rows_read, src.rows_loaded, src.rows_rejected) == (3, 1, 2)
    assert src.rejects == [
        {"line": 3, "reason": "profile matches no connection"},
        {"line": 4, "reason": "unparsable number in contact_followers ('lots')"},
    ]


def test_every_row_accounted_for_with_blank_and_empty_values(tmp_path: Path) -> None:
    # 4 records (a blank line is not a record): empty handle -> missing account_id
    text = "handle,followers\nann,1\n\n,5\nbob,N/A\ncid,-2\n"
    csv = _write(tmp_path / "l.csv", text)
    wb = warmcall.load(
        csv, mapping={"platform": "x", "table": "accounts",
                      "columns": {"handle": "handle", "followers": "followers"}},
    )  # fmt: skip
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (4, 2, 2)
    assert {r["reason"] for r in rep.rejects} == {
        "missing account_id",
        "negative count in followers",
    }
    assert wb.accounts.sort("account_id")["followers"].to_list() == [1, None]
    assert isinstance(wb.accounts, pl.DataFrame)


def test_account_row_not_carried_by_a_duplicate_record(tmp_path: Path) -> None:
    # 4 records. The account values seen first on line 3 (3k followers) need a carrier:
    # line 3 fails validation (bad timestamp); line 4's post is an exact duplicate of
    # line 2's (the account values are not part of the post), so the validator rejects
    # it too; line 5 must carry erin/3000. Accounts merge per (account_id, snapshot_date)
    # keeping the largest count: 3000.
    text = (
        "who,fans,id,when\n"
        "erin,1k,201,2022-10-01T10:00:00Z\n"  # line 2: ok, carries erin/1000
        "erin,3k,999,yesterday\n"  # line 3: unparsable timestamp -> rejected
        "erin,3k,201,2022-10-01T10:00:00Z\n"  # line 4: duplicate of line 2 -> rejected
        "erin,3k,203,2022-10-03T10:00:00Z\n"  # line 5: ok, carries erin/3000
    )
    csv = _write(tmp_path / "t.csv", text)
    mapping = {
        "platform": "x",
        "table": "posts",
        "columns": {"post_id": "id", "ts": "when"},
        "account_columns": {"handle": "who", "followers": "fans"},
    }
    wb = warmcall.load(csv, mapping=mapping)
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (4, 2, 2)
    assert rep.rejects == [
        {"line": 3, "reason": "unparsable timestamp in ts"},
        {"line": 4, "reason": "exact duplicate row"},
    ]
    assert wb.accounts["followers"].to_list() == [3000]
    assert wb.posts["post_id"].sort().to_list() == ["201", "203"]


# -- issue 13, "Any CSV, done right" ---------------------------------------------------
ACCOUNTS_MAPPING = {
    "platform": "other",
    "table": "accounts",
    "columns": {"handle": "channel", "followers": "subs", "engagement_rate": "rate",
                "avg_likes": "likes"},
}  # fmt: skip


def test_missing_spellings_and_scientific_notation_in_a_panel(tmp_path: Path) -> None:
    """NaN%, nan, NA, -, N/A are missing (null), not a reason to reject the row; 2.28E+11
    is a count. Only a value that is neither (12abc) rejects its row."""
    text = (
        "channel,subs,rate,likes\n"
        "ann,NA,NaN%,nan\n"  # line 2: all missing
        "big,2.28E+11,1.5%,N/A\n"  # line 3: scientific notation
        "cid,-,nan,-\n"  # line 4: all missing
        "dan,1.2e3,4e-1%,12abc\n"  # line 5: unparsable likes -> rejected
    )
    csv = _write(tmp_path / "panel.csv", text)
    wb = warmcall.load(csv, mapping=ACCOUNTS_MAPPING, cache=False)
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (4, 3, 1)
    assert rep.rejects == [{"line": 5, "reason": "unparsable number in avg_likes ('12abc')"}]
    a = wb.accounts.sort("handle")
    assert a["handle"].to_list() == ["ann", "big", "cid"]
    assert a["followers"].to_list() == [None, 228_000_000_000, None]
    assert a["engagement_rate"].to_list() == [None, 0.015, None]
    assert a["avg_likes"].to_list() == [None, None, None]


def test_constant_handle_makes_the_account_id(tmp_path: Path) -> None:
    """constants: {handle: acme} gives account_id <platform>:acme (documented rule), for an
    accounts table and for the accounts rows of a posts table."""
    csv = _write(tmp_path / "acme.csv", "date,subs\n2024-01-01,1.5k\n2024-02-01,1.6k\n")
    mapping = {
        "platform": "x",
        "table": "accounts",
        "columns": {"snapshot_date": "date", "followers": "subs"},
        "constants": {"handle": "@acme"},
    }
    wb = warmcall.load(csv, mapping=mapping, cache=False)
    rep = wb.report.sources[0]
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (2, 2, 0)
    a = wb.accounts.sort("snapshot_date")
    assert a["account_id"].to_list() == ["x:acme", "x:acme"]
    assert a["handle"].to_list() == ["acme", "acme"]
    assert a["followers"].to_list() == [1500, 1600]

    posts = _write(tmp_path / "posts.csv", "id,when,fans\n1,2024-01-01T10:00:00Z,2k\n")
    mapping = {
        "platform": "x",
        "table": "posts",
        "columns": {"post_id": "id", "ts": "when"},
        "account_columns": {"followers": "fans"},
        "constants": {"handle": "acme"},
    }
    wb = warmcall.load(posts, mapping=mapping, cache=False)
    assert wb.report.rows_rejected == 0
    assert wb.posts["account_id"].to_list() == ["x:acme"]
    assert wb.accounts.select("account_id", "handle", "followers").rows() == [
        ("x:acme", "acme", 2000)
    ]


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ('"user,fans"\n"secretvalue,12"\n"other,3"\n', "quoted"),
        ("user;fans\nsecretvalue;12\n", "';'"),
        ("user\tfans\nsecretvalue\t12\n", "tab"),
    ],
)
def test_single_column_file_is_named_as_such(tmp_path: Path, text: str, hint: str) -> None:
    csv = _write(tmp_path / "one-column.csv", text)
    mapping = {"platform": "x", "table": "accounts",
               "columns": {"handle": "user", "followers": "fans"}}  # fmt: skip
    with pytest.raises(InputError) as e:
        warmcall.load(csv, mapping=mapping, cache=False)
    msg = str(e.value)
    assert msg.startswith(str(csv) + ":"), msg
    assert "single column" in msg and hint in msg, msg
    assert "'user'" in msg and "'fans'" in msg, msg  # the columns the mapping expects
    assert "secretvalue" not in msg and "user,fans" not in msg and "\n" not in msg, msg


ZOE = "handle,followers\nZoë,12\nJosé,7\n"


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "ISO-8859-1"])
def test_legacy_encoding_on_utf8_file_reads_utf8_with_a_note(tmp_path: Path, encoding: str) -> None:
    """--encoding latin-1 on a file that is valid UTF-8 (with non-ASCII) would turn "Zoë"
    into "ZoÃ«": the file is read as UTF-8 and the report says so."""
    csv = _write(tmp_path / "utf8.csv", ZOE, "utf-8")
    mapping = {"platform": "x", "table": "accounts",
               "columns": {"handle": "handle", "followers": "followers"}}  # fmt: skip
    wb = warmcall.load(csv, mapping=mapping, encoding=encoding, cache=False)
    assert sorted(wb.accounts["handle"].to_list()) == ["José", "Zoë"]
    notes = wb.report.sources[0].notes
    assert any("UTF-8" in n and encoding in n for n in notes), notes
    # a real latin-1 file is still read as latin-1, without that note
    csv2 = _write(tmp_path / "latin.csv", ZOE, "latin-1")
    wb = warmcall.load(csv2, mapping=mapping, encoding=encoding, cache=False)
    assert sorted(wb.accounts["handle"].to_list()) == ["José", "Zoë"]
    assert not any("UTF-8" in n for n in wb.report.sources[0].notes)
