# ruff: noqa: E501  (fixture CSV lines reproduce the exports' exact layouts)
"""LinkedIn exports of every year: one person is one contact, duplicates judged by the
record's own identity, the 2018 layout (docs/export-formats.md §3, field notes "Quirks").

Fixtures are written here from the documented layouts. Expected counts come from counting
the fixture with the plain ``csv`` module, never from the loader's output.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.ingest.loaders import linkedin

IN = "https://www.linkedin.com/in/"
OWN = "olivia-owner-9999"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are'
    " missing. You will only see email addresses for connections who have allowed their"
    " connections to see or download their email address using this setting"
    " https://www.linkedin.com/psettings/privacy/email. You can learn more here"
    ' https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
# 2021-22: the preamble, but no URL column
CONN_2022_HEADER = "First Name,Last Name,Email Address,Company,Position,Connected On\n"
MSG_2023_HEADER = (
    "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,"
    "DATE,SUBJECT,CONTENT,FOLDER\n"
)


def _write(tmp: Path, files: dict[str, str | bytes], name: str) -> Path:
    folder = tmp / name
    for rel, data in files.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return folder


def _records(text: str, required: str, delimiter: str = ",") -> list[dict[str, str]]:
    """Independent reading of a fixture: the rows after the first record holding
    ``required``, blank records skipped (plain ``csv``)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    at = next(i for i, r in enumerate(rows) if required in r)
    head = rows[at]
    return [dict(zip(head, r, strict=False)) for r in rows[at + 1 :] if any(c.strip() for c in r)]


def _src(wb: warmcall.Workbook, name: str):
    return next(s for s in wb.report.sources if s.path.replace("!", "/").endswith("/" + name))


# -- one person, one contact -------------------------------------------------------------

CONNECTIONS_NO_URL = (
    PREAMBLE
    + CONN_2022_HEADER
    + (
        "Alice,Example,,Example Corp,Director,08 Feb 2022\n"
        "Bob,Example,,,,01 Jun 2021\n"
        "Carol,Quiet,,,,02 Jun 2021\n"
    )
)
MESSAGES_BY_URL = MSG_2023_HEADER + (
    f"c1,,Alice Example,{IN}alice-example-1111,Olivia Owner,{IN}{OWN},2022-05-01 10:00:00 UTC,,Hi,INBOX\n"
    f"c1,,Olivia Owner,{IN}{OWN},Alice Example,{IN}alice-example-1111,2022-05-01 11:00:00 UTC,,Hello,INBOX\n"
    f"c2,,Bob Example,{IN}bob-example-2222,Olivia Owner,{IN}{OWN},2022-05-02 10:00:00 UTC,,Yo,INBOX\n"
    f"c3,,Olivia Owner,{IN}{OWN},Zoe Stranger,{IN}zoe-3333,2022-05-03 10:00:00 UTC,,Hey,INBOX\n"
)


def test_url_less_connections_link_to_message_partners_by_name(tmp_path):
    folder = _write(tmp_path, {"Connections.csv": CONNECTIONS_NO_URL,
                               "messages.csv": MESSAGES_BY_URL}, "li2022")  # fmt: skip
    wb = warmcall.load(folder)
    # independent: the people named in both files (by name)
    conn_names = {
        f"{r['First Name']} {r['Last Name']}" for r in _records(CONNECTIONS_NO_URL, "Connected On")
    }
    msgs = _records(MESSAGES_BY_URL, "DATE")
    partners = {r["FROM"] for r in msgs} | {r["TO"] for r in msgs}
    partners.discard("Olivia Owner")
    people = conn_names | partners  # one contact per person
    scores = warmcall.score(wb, {"as_of": "2022-06-01", "window_days": 90})
    assert scores.height == len(people)
    assert scores["contact_id"].n_unique() == scores.height
    by_name = {r["display_name"]: r for r in scores.iter_rows(named=True)}
    for name in conn_names & partners:  # Alice and Bob: once, a connection with their name
        r = by_name[name]
        assert r["is_connection"] and r["handle"] == r["contact_id"] and "-" in r["handle"]
    alice = by_name["Alice Example"]
    assert alice["contact_id"] == "alice-example-1111" and (alice["n_in"], alice["n_out"]) == (1, 1)
    # the link's evidence, in the load report
    notes = _src(wb, "Connections.csv").notes
    (link,) = [n for n in notes if "linked by name" in n]
    assert link.startswith(
        f"{len(conn_names & partners)} connection(s) listed without a profile URL"
    )
    assert "'Alice Example' = alice-example-1111 (from messages.csv)" in link
    assert "'Bob Example' = bob-example-2222 (from messages.csv)" in link
    # Carol (no messages) keeps her name key; Zoe (not a connection) her URL
    assert {"name:carol quiet", "zoe-3333"} <= set(scores["contact_id"])


def test_ambiguous_names_stay_apart_and_are_counted(tmp_path):
    conns = (
        PREAMBLE
        + CONN_2022_HEADER
        + (
            "John,Smith,,Acme,Engineer,08 Feb 2022\n"
            "John,Smith,,Globex,Sales,09 Feb 2022\n"  # two connections named John Smith
            "Dana,Double,,,,10 Feb 2022\n"  # one connection, but two profile URLs below
        )
    )
    msgs = MSG_2023_HEADER + (
        f"c1,,John Smith,{IN}john-smith-1,Olivia Owner,{IN}{OWN},2022-05-01 10:00:00 UTC,,Hi,INBOX\n"
        f"c2,,Dana Double,{IN}dana-a,Olivia Owner,{IN}{OWN},2022-05-02 10:00:00 UTC,,Hi,INBOX\n"
        f"c3,,Dana Double,{IN}dana-b,Olivia Owner,{IN}{OWN},2022-05-03 10:00:00 UTC,,Hi,INBOX\n"
    )
    recs = (
        "First Name,Last Name,Company,Job Title,Text,Creation Date,Status\n"
        'John,Smith,Globex,Sales,"Great to work with","05/10/22, 09:53 AM",VISIBLE\n'
    )
    folder = _write(tmp_path, {"Connections.csv": conns, "messages.csv": msgs,
                               "Recommendations_Received.csv": recs}, "amb")  # fmt: skip
    wb = warmcall.load(folder)
    c = sorted(wb.connections["contact_id"].to_list())
    # the two John Smiths are kept apart by company; Dana is not linked to either URL
    assert c == ["name:dana double", "name:john smith|acme", "name:john smith|globex"]
    i = wb.interactions.sort("ts")
    assert i.select("contact_id", "kind").rows() == [
        ("john-smith-1", "dm"), ("dana-a", "dm"), ("dana-b", "dm"),
        # a recommendation gives name and company: the Globex John Smith
        ("name:john smith|globex", "endorsement"),
    ]  # fmt: skip
    notes = _src(wb, "Connections.csv").notes
    (amb,) = [n for n in notes if "kept apart" in n]
    assert amb.startswith("2 name(s) match several connections or several profile URLs")
    assert "'dana double'" in amb and "'john smith'" in amb
    assert not any("listed without a profile URL linked" in n for n in notes)


def test_member_id_url_is_the_same_person_as_the_vanity_url(tmp_path):
    conns = (
        PREAMBLE
        + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        + (f"Alice,Example,{IN}alice-example-1111,,,,08 Feb 2023\n")
    )
    msgs = MSG_2023_HEADER + (
        f"c1,,Alice Example,{IN}ACoAABcdEfGhIjKlMnOp,Olivia Owner,{IN}{OWN},2024-05-01 10:00:00 UTC,,Hi,INBOX\n"
        f"c2,,Olivia Owner,{IN}{OWN},Alice Example,{IN}alice-example-1111,2024-05-02 10:00:00 UTC,,Hi,INBOX\n"
    )
    wb = warmcall.load(_write(tmp_path, {"Connections.csv": conns, "messages.csv": msgs}, "mid"))
    assert set(wb.interactions["contact_id"]) == {"alice-example-1111"}
    assert wb.connections["contact_id"].to_list() == ["alice-example-1111"]


# -- duplicates by identity, not by coincidence ---------------------------------------------


def test_same_second_events_load_and_true_repeats_are_rejected(tmp_path):
    msgs = (
        MSG_2023_HEADER
        + (
            f"c1,,Alice Example,{IN}alice-1,Olivia Owner,{IN}{OWN},2024-05-01 10:00:00 UTC,,first,INBOX\n"  # 2
            f"c1,,Alice Example,{IN}alice-1,Olivia Owner,{IN}{OWN},2024-05-01 10:00:00 UTC,,second,INBOX\n"  # 3 same second
            f"c1,,Alice Example,{IN}alice-1,Olivia Owner,{IN}{OWN},2024-05-01 10:00:00 UTC,,first,INBOX\n"  # 4 repeat of 2
        )
    )
    ends = (
        "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorser Public Url,Endorsement Status\n"
        "2024/02/01 15:02:55 UTC,Market Research,Alice,Example,www.linkedin.com/in/alice-1,ACCEPTED\n"  # 2
        "2024/02/01 15:02:55 UTC,Statistics,Alice,Example,www.linkedin.com/in/alice-1,ACCEPTED\n"  # 3 other skill
        "2024/02/01 15:02:55 UTC,Statistics,Alice,Example,www.linkedin.com/in/alice-1,ACCEPTED\n"  # 4 repeat of 3
    )
    shares = (
        "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
        "2025-08-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:1111,Look,,https://media.example/1.jpg,PUBLIC\n"  # 2
        "2025-08-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:1111,Look,,https://media.example/2.jpg,PUBLIC\n"  # 3 other media
        "2025-08-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:1111,Look,,https://media.example/2.jpg,PUBLIC\n"  # 4 repeat of 3
    )
    files = {"messages.csv": msgs, "Endorsement_Received_Info.csv": ends, "Shares.csv": shares,
             "Profile.csv": PROFILE_2018}  # fmt: skip
    wb = warmcall.load(_write(tmp_path, files, "dups"), cache=False)
    for name, text, required in (("messages.csv", msgs, "DATE"),
                                 ("Endorsement_Received_Info.csv", ends, "Skill Name"),
                                 ("Shares.csv", shares, "MediaUrl")):  # fmt: skip
        rows = [tuple(r.values()) for r in _records(text, required)]
        distinct = len(set(rows))
        s = _src(wb, name)
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (
            len(rows),
            distinct,
            len(rows) - distinct,
        ), name
        assert [r["reason"] for r in s.rejects] == ["exact duplicate row"] * (len(rows) - distinct)
        assert [r["line"] for r in s.rejects] == [4]
    assert wb.interactions.filter(pl.col("kind") == "dm").height == 2
    assert wb.interactions.filter(pl.col("kind") == "endorsement").height == 2
    # the two media rows of one share are one post
    assert wb.posts["post_id"].to_list() == ["urn:li:share:1111"]


# -- the 2018 layout ---------------------------------------------------------------------------

CONN_2018 = (  # no preamble, no URL, "M/D/YY, h:mm AM" dates
    "First Name,Last Name,Email Address,Company,Position,Connected On\n"
    'Alice,Example,,Example Corp,Director,"1/8/18, 6:14 PM"\n'
    'Bob,Example,,,,"12/24/17, 9:05 AM"\n'
    ',,,,,"3/1/18, 10:00 AM"\n'  # hidden member: rejected
    'Carol,Late,,,,"13/45/18, 9:05 AM"\n'  # impossible date: rejected
)
MSG_2018 = (  # no conversation id, no URLs, a DIRECTION column
    "From,To,Date,Subject,Content,Direction,Folder\n"
    'Alice Example,Olivia Owner,"1/9/18, 8:00 AM",Lunch?,"Free on Friday?",INCOMING,INBOX\n'
    'Olivia Owner,Alice Example,"1/9/18, 9:30 AM",Re: Lunch?,"Yes, noon",OUTGOING,SENT\n'
    'Olivia Owner,Bob Example,"1/10/18, 9:30 AM",Hello,Hi Bob,OUTGOING,SENT\n'
    'Dan Nobody,Olivia Owner,"1/11/18, 7:00 PM",Job,An offer,INCOMING,INBOX\n'
    "Olivia Owner,Alice Example,yesterday,Re: Lunch?,late,OUTGOING,SENT\n"  # rejected: date
)
SHARES_2018 = (  # UTF-16 with BOM, tab-separated
    "Date\tShareLink\tShareCommentary\tSharedUrl\tMediaUrl\n"
    "2018-01-05 10:00:00\thttps://www.linkedin.com/feed/update/urn:li:activity:6111\tNew job!\t\t\n"
    "2018-01-06 11:00:00\thttps://www.linkedin.com/feed/update/urn:li:activity:6222\tReading this\thttps://example.com/a\t\n"
    "\thttps://www.linkedin.com/feed/update/urn:li:activity:6333\tno date\t\t\n"  # rejected
)
PROFILE_2018 = "First Name,Last Name,Maiden Name,Address,Birth Date,Headline\nOlivia,Owner,,,,Head of Example\n"


def _export_2018(tmp: Path) -> Path:
    files = {
        "Profile.csv": PROFILE_2018,
        "Connections.csv": CONN_2018,
        "Messages.csv": MSG_2018,
        "Shares.csv": SHARES_2018.encode("utf-16"),  # BOM + UTF-16-LE
    }
    return _write(tmp, files, "Basic_LinkedInDataExport_01-15-2018")


def test_2018_export_loads_connections_messages_and_shares(tmp_path):
    wb = warmcall.load(_export_2018(tmp_path))
    conns = _records(CONN_2018, "Connected On")
    us = re.compile(r"^\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2} [AP]M$")

    def valid(r):
        if not (r["First Name"] or r["Last Name"]) or not us.match(r["Connected On"]):
            return False
        m, d, _y = r["Connected On"].split(",")[0].split("/")
        return 1 <= int(m) <= 12 and 1 <= int(d) <= 31

    good_conns = [r for r in conns if valid(r)]
    msgs = _records(MSG_2018, "Direction")
    good_msgs = [r for r in msgs if us.match(r["Date"])]
    shares = _records(SHARES_2018, "ShareLink", "\t")
    good_shares = [r for r in shares if r["Date"]]
    for name, rows, good in (("Connections.csv", conns, good_conns), ("Messages.csv", msgs, good_msgs),
                             ("Shares.csv", shares, good_shares)):  # fmt: skip
        s = _src(wb, name)
        assert s.rows_read == len(rows), name
        assert (s.rows_loaded, s.rows_set_aside, s.rows_rejected) == (
            len(good),
            0,
            len(rows) - len(good),
        ), name
        assert s.balanced
    assert wb.connections["connected_at"].sort().to_list() == [
        datetime(2017, 12, 24, 9, 5, tzinfo=UTC), datetime(2018, 1, 8, 18, 14, tzinfo=UTC),
    ]  # fmt: skip
    # the DIRECTION column gives the direction and the own name; names link to connections
    i = wb.interactions.sort("ts")
    assert i.select("contact_id", "direction").rows() == [
        ("name:alice example", "in"), ("name:alice example", "out"), ("name:bob example", "out"),
        ("name:dan nobody", "in"),
    ]  # fmt: skip
    assert i["ts"][0] == datetime(2018, 1, 9, 8, 0, tzinfo=UTC)
    assert wb.posts.sort("ts")["text"].to_list() == ["New job!", "Reading this"]
    reasons = {r["line"]: r["reason"] for r in _src(wb, "Messages.csv").rejects}
    assert reasons == {6: "unparsable DATE 'yesterday' (expected %m/%d/%y, %I:%M %p)"}
    reasons = {r["line"]: r["reason"] for r in _src(wb, "Connections.csv").rejects}
    assert reasons[5] == "unparsable Connected On '13/45/18, 9:05 AM' (expected %m/%d/%y, %I:%M %p)"
    assert wb.accounts["display_name"].to_list() == ["Olivia Owner"]


def test_2018_messages_without_direction_group_by_participants_and_subject(tmp_path):
    # No DIRECTION and no Profile.csv: the own name is the participant of every conversation
    # (a conversation = participants + subject without "Re:").
    msgs = (
        "From,To,Date,Subject,Content\n"
        'Alice Example,Olivia Owner,"1/9/18, 8:00 AM",Lunch?,Free?\n'
        'Olivia Owner,Alice Example,"1/9/18, 9:30 AM",Re: Lunch?,Yes\n'
        'Bob Example,Olivia Owner,"1/10/18, 9:30 AM",Hello,Hi\n'
    )
    wb = warmcall.load(_write(tmp_path, {"Messages.csv": msgs}, "nodir"))
    assert wb.accounts["display_name"].to_list() == ["Olivia Owner"]
    assert wb.interactions.sort("ts").select("contact_id", "direction").rows() == [
        ("name:alice example", "in"), ("name:alice example", "out"), ("name:bob example", "in"),
    ]  # fmt: skip


def test_utf16_without_bom_and_tabs_is_read():
    text = SHARES_2018
    data = text.encode("utf-16-le")
    assert linkedin._utf16_without_bom(data) == "utf-16-le"
    assert linkedin._utf16_without_bom(text.encode("utf-8")) is None
    assert linkedin._find_header(text, "shares") == (0, "\t")


# -- signals -------------------------------------------------------------------------------------


def test_signals_come_from_the_files_read(tmp_path):
    wb = warmcall.load(_export_2018(tmp_path))
    sig = {(r["account_id"], r["signal"]) for r in wb.signals.iter_rows(named=True)}
    acct = wb.accounts["account_id"][0]
    assert sig == {(acct, s) for s in ("followers", "following", "profiles", "messages_in",
                                       "messages_out", "outbound")}  # fmt: skip


@pytest.mark.parametrize("value", ["08 Feb 2023", "1/8/18, 6:14 PM"])
def test_one_date_format_per_file(value):
    df = pl.DataFrame({"First Name": ["A"], "Last Name": ["B"], "Connected On": [value],
                       "_line": [2]}).rename(str.lower)  # fmt: skip
    out = linkedin._connections(df)
    assert out["_reason"].to_list() == [None] and out["connected_at"][0] is not None


def test_signals_of_a_full_export(tmp_path):
    from test_loader_linkedin import _files

    folder = _write(tmp_path, _files(), "full")
    wb = warmcall.load(folder)
    by_file = {}
    for s in wb.report.sources:
        for sig in s.signals:
            by_file.setdefault(Path(s.path).name, set()).add(sig["signal"])
    assert by_file == {
        "Connections.csv": {"followers", "following", "profiles"},
        "Member_Follows.csv": {"following"},
        "messages.csv": {"messages_in", "messages_out"},
        "Invitations.csv": {"inbound"},
        "Endorsement_Received_Info.csv": {"inbound"},
        "Shares.csv": {"outbound"},
        "Comments_1111111.csv": {"outbound"},
        "Reactions.csv": {"outbound"},
    }
    assert set(wb.signals["account_id"]) == set(wb.accounts["account_id"])
