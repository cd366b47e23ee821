# ruff: noqa: E501  (fixture CSV lines reproduce the exports' exact layouts)
"""LinkedIn "Get a copy of your data" loader (docs/export-formats.md §3, fixtures §8).

Every expected count below is worked out by hand from the fixture text next to it.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.loaders import linkedin
from warmcall.ingest.sources import Source
from warmcall.sample import linkedin as li_writer

OWN = "olivia-owner-9999"
IN = "https://www.linkedin.com/in/"
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are'
    " missing. You will only see email addresses for connections who have allowed their"
    " connections to see or download their email address using this setting"
    " https://www.linkedin.com/psettings/privacy/email. You can learn more here"
    ' https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
PROFILE = (
    "First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,"
    "Geo Location,Twitter Handles,Websites,Instant Messengers\n"
    'Olivia,Owner,,,,Head of Example,,Software,,"Amsterdam, NL",,,\n'  # line 2: the account
)
# Lines 1-3 preamble, 4 header. Written with CRLF and a BOM.
CONNECTIONS = (
    PREAMBLE
    + (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        f'Alice,Example,{IN}alice-example-1111,,"Example Corp, Inc.",Director of People Ops,08 Feb 2023\n'  # 5 ok
        f"Jürgen,Beispiel,{IN}j%C3%BCrgen-beispiel-2222,,Beispiel GmbH,CTO,15 Jan 2024\n"  # 6 ok
        ",,,,,,12 Mar 2019\n"  # 7 rejected: left LinkedIn
        f"Carol,Dutch,{IN}carol-dutch-3333,,,,12 mrt 2019\n"  # 8 rejected: Dutch month
        f"Bob,Example,{IN}bob-example-2222/,,,,01 Jun 2024\n"  # 9 ok (trailing slash)
    )
)  # read 5, loaded 3, rejected 2
H25 = (
    '"CONVERSATION ID","CONVERSATION TITLE","FROM","SENDER PROFILE URL","TO",'
    '"RECIPIENT PROFILE URLS","DATE","SUBJECT","CONTENT","FOLDER","ATTACHMENTS",'
    '"IS MESSAGE DRAFT","IS CONVERSATION DRAFT"\n'
)


def _m25(conv, frm, frm_url, to, to_urls, when, content, draft="No"):
    cells = [conv, "", frm, frm_url, to, to_urls, when, "", content, "INBOX", "", draft, "No"]
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n"


ALICE, BOB = f"{IN}alice-example-1111", f"{IN}bob-example-2222"
MESSAGES = H25 + (  # 2025 era: every field quoted, ATTACHMENTS column
    _m25("2-YzE=", "Alice Example", ALICE, "Olivia Owner", IN + OWN, "2025-06-01 14:03:22 UTC", "Hi")
    # line 2: dm in from alice
    + _m25(
        "2-YzE=", "Olivia Owner", IN + OWN, "Alice Example", ALICE, "2025-06-01 15:00:00 UTC",
        '<p class="spinmail-quill-editor__spin-break">Sure,\nThursday</p>\n<p>ok</p>',
    )  # lines 3-5: dm out to alice (multi-line HTML)
    + _m25(
        "2-YzI=", "Olivia Owner", IN + OWN, "Alice Example,Bob Example", f"{ALICE},{BOB}",
        "2025-06-02 09:00:00 UTC", "Group hello",
    )  # line 6: two dm out rows (alice, bob)
    + _m25("2-YzM=", "LinkedIn Member", "", "Olivia Owner", IN + OWN, "2025-06-03 09:00:00 UTC", "Ad")
    # line 7: rejected, hidden sender
    + _m25(
        "2-YzI=", "Bob Example", BOB, "Olivia Owner,Alice Example", f"{IN}{OWN},{ALICE}",
        "2025-06-04 09:00:00 UTC", "Reply all",
    )  # line 8: dm in from bob
    + _m25("2-YzE=", "Olivia Owner", IN + OWN, "Alice Example", ALICE, "2025-06-05 09:00:00 UTC", "..", "Yes")
    # line 9: rejected, draft
)  # fmt: skip
# read 6, loaded 4 records (5 interaction rows), rejected 2
INVITATIONS = (
    "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
    f'Olivia Owner,Dan Newman,"1/29/26, 2:37 PM",,OUTGOING,{IN}{OWN},{IN}dan-newman-4444\n'  # 2 out
    f'Erin Incoming,Olivia Owner,"12/03/25, 9:05 AM","Hi Olivia, let\'s connect",INCOMING,'
    f"{IN}erin-incoming-5555,{IN}{OWN}\n"  # 3 in
    f'Fay Late,Olivia Owner,"13/45/25, 9:05 AM",,INCOMING,{IN}fay-6666,{IN}{OWN}\n'  # 4 rejected
)  # read 3, loaded 2, rejected 1
COMMENTS = (  # backslash-escaped quotes, a multi-line message, an empty Date
    "Date,Link,Message\n"
    "2024-06-10 18:53:49,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A1111111111111111111,"
    '"Great point, \\"Bob\\"!"\n'  # line 2
    "2024-06-11 08:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A2222222222222222222,"
    '"He said \\"multi\nline\\""\n'  # lines 3-4
    ',https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A3333333333333333333,"no date"\n'  # 5
)  # read 3, rejected 3
REACTIONS = (
    "Date,Type,Link\n"
    "2025-06-01 09:00:00,LIKE,https://www.linkedin.com/feed/update/urn:li:activity:1111111111111111111\n"
    "2025-06-02 09:00:00,PRAISE,https://www.linkedin.com/feed/update/urn:li:activity:4444444444444444444\n"
    "2025-06-03 09:00:00,EMPATHY,https://www.linkedin.com/feed/update/urn:li:ugcPost:5555\n"
)  # read 3, rejected 3
SHARES = (
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    "2025-08-01 10:00:00,https://www.linkedin.com/feed/update/urn:li:share:1111111111111111111,"
    '"Excited to share … ""quoted""\nsecond line",,,MEMBER_NETWORK\n'  # lines 2-3 ok
    "2025-08-02 11:00:00,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A2222222222222222222,"
    ",https://example.com/a,,PUBLIC\n"  # line 4 ok, empty commentary
    ",https://www.linkedin.com/feed/update/urn:li:share:3333,x,,,PUBLIC\n"  # line 5 rejected
)  # read 3, loaded 2, rejected 1
MEMBER_FOLLOWS = (
    'Notes:\n"This file lists the members you follow."\n\n'
    "Date,FullName,Status\n"  # line 4
    "Mon Jan 08 2024,Alice Example,Active\n"  # 5 -> alice-example-1111 (a connection)
    "Tue Jan 09 2024,Henry Creator,Active\n"  # 6 -> name:henry creator
    "Wed Jan 10 2024,Ivy Gone,Unfollowed\n"  # 7 rejected
)  # read 3, loaded 2, rejected 1
ENDORSEMENTS = (  # the URL has no scheme
    "Endorsement Date,Skill Name,Endorser First Name,Endorser Last Name,Endorser Public Url,"
    "Endorsement Status\n"
    "2024/02/01 15:02:55 UTC,Market Research,Alice,Example,www.linkedin.com/in/alice-example-1111,"
    "ACCEPTED\n"  # line 2 -> endorsement in from alice
    "2024-02-02,Statistics,Bob,Example,www.linkedin.com/in/bob-example-2222,ACCEPTED\n"  # 3 rejected
)  # read 2, loaded 1, rejected 1
IGNORED = {  # not about relationships/posts: never registered
    "Ad_Targeting.csv": "Member Age,Company Names,Company Names,Job Titles,Job Titles\n25-34,A,B,C,D\n",
    "Email Addresses.csv": "Email Address,Confirmed,Primary,Updated On\na@example.com,Yes,Yes,Not Available\n",
    "Rich Media.csv": "Date/Time,Media Description,Media Link\n",
    "Rich_Media.csv": "Date/Time,Media Description,Media Link\r\n",
    "coach_messages.csv": "No conversations found\n",
    "Articles/Articles/post.html": "<html></html>",
}
NAME = "Basic_LinkedInDataExport_03-15-2026"


def _files() -> dict[str, bytes]:
    crlf_bom = "\ufeff" + CONNECTIONS.replace("\n", "\r\n")
    files = {
        "Profile.csv": PROFILE,
        "Connections.csv": crlf_bom,
        "messages.csv": MESSAGES,
        "Invitations.csv": "\ufeff" + INVITATIONS,
        "Comments_1111111.csv": COMMENTS,
        "Reactions.csv": REACTIONS,
        "Shares.csv": SHARES,
        "Member_Follows.csv": MEMBER_FOLLOWS,
        "Endorsement_Received_Info.csv": ENDORSEMENTS,
        **IGNORED,
    }
    return {k: v.encode("utf-8") for k, v in files.items()}


def _write(tmp: Path, files: dict[str, bytes | str], name: str = NAME) -> tuple[Path, Path]:
    """The same export as a folder and as a zip."""
    folder = tmp / name
    for rel, data in files.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode() if isinstance(data, str) else data)
    zp = tmp / f"{name}.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        for rel, data in files.items():
            zf.writestr(rel, data)
    return folder, zp


def _report(wb: warmcall.Workbook) -> dict[str, tuple[int, int, int, list]]:
    return {
        Path(s.path.split("!")[-1]).name: (s.rows_read, s.rows_loaded, s.rows_rejected, s.rejects)
        for s in wb.report.sources
    }


@pytest.fixture(params=["folder", "zip"])
def main_export(request, tmp_path):
    folder, zp = _write(tmp_path, _files())
    return folder if request.param == "folder" else zp


def test_detect(tmp_path):
    folder, zp = _write(tmp_path, _files())
    assert linkedin.detect(Source.open(folder)) and linkedin.detect(Source.open(zp))
    other, _ = _write(tmp_path, IGNORED, "not_linkedin")
    assert not linkedin.detect(Source.open(other))


def test_li_key():
    assert linkedin.li_key("Comments_1111111.csv") == "comments"
    assert linkedin.li_key("Rich Media.csv") == linkedin.li_key("Rich_Media.csv") == "rich_media"


def test_main_export_accounting(main_export):
    wb = warmcall.load(main_export)
    rep = _report(wb)
    # exactly the files read; the ignored ones are not sources at all
    assert set(rep) == {
        "Profile.csv", "Connections.csv", "messages.csv", "Invitations.csv",
        "Comments_1111111.csv", "Reactions.csv", "Shares.csv", "Member_Follows.csv",
        "Endorsement_Received_Info.csv",
    }  # fmt: skip
    counts = {k: v[:3] for k, v in rep.items()}
    assert counts == {
        "Profile.csv": (1, 1, 0),
        "Connections.csv": (5, 3, 2),
        "messages.csv": (6, 4, 2),
        "Invitations.csv": (3, 2, 1),
        "Comments_1111111.csv": (3, 0, 0),  # set aside: whose post is not in the export
        "Reactions.csv": (3, 0, 0),
        "Shares.csv": (3, 2, 1),
        "Member_Follows.csv": (3, 2, 1),
        "Endorsement_Received_Info.csv": (2, 1, 1),
    }
    assert wb.report.rows_read == 29
    assert wb.report.rows_loaded == 15 and wb.report.rows_rejected == 8
    assert wb.report.rows_set_aside == 6
    for s in wb.report.sources:
        assert s.rows_read == s.rows_loaded + s.rows_set_aside + s.rows_rejected
    aside = wb.report.set_aside_frame().sort("activity").to_dicts()
    assert [(a["activity"], a["rows"], a["account_id"]) for a in aside] == [
        ("comments given", 3, f"linkedin:{OWN}"), ("reactions given", 3, f"linkedin:{OWN}"),
    ]  # fmt: skip


def test_main_export_reject_reasons(main_export):
    rep = _report(warmcall.load(main_export))
    reasons = {k: {(r["line"], r["reason"]) for r in v[3]} for k, v in rep.items()}
    assert reasons["Connections.csv"] == {
        (7, "no name and no profile URL (member left LinkedIn or hid the profile)"),
        (8, "unknown month name 'mrt' in Connected On '12 mrt 2019'"),
    }
    assert reasons["messages.csv"] == {
        (7, "no counterpart: sender 'LinkedIn Member' (deleted or hidden) has no profile URL"),
        (9, "draft message (never sent)"),
    }
    assert reasons["Invitations.csv"] == {
        (4, "unparsable Sent At '13/45/25, 9:05 AM' (expected %m/%d/%y, %I:%M %p)")
    }
    assert reasons["Comments_1111111.csv"] == set() and reasons["Reactions.csv"] == set()
    assert reasons["Shares.csv"] == {(5, "missing Date")}
    assert reasons["Member_Follows.csv"] == {(7, "status 'Unfollowed' is not an active follow")}
    assert reasons["Endorsement_Received_Info.csv"] == {
        (3, "unparsable Endorsement Date '2024-02-02' (expected %Y/%m/%d %H:%M:%S UTC)")
    }


def test_main_export_account(main_export):
    wb = warmcall.load(main_export)
    acc = wb.accounts.to_dicts()
    assert len(acc) == 1
    a = acc[0]
    assert a["account_id"] == f"linkedin:{OWN}" and a["handle"] == OWN  # from Invitations.csv
    assert a["platform"] == "linkedin" and a["display_name"] == "Olivia Owner"
    assert a["snapshot_date"] == date(2026, 3, 15)
    assert a["followers"] is None and a["following"] is None and a["posts_count"] is None
    notes = [n for s in wb.report.sources for n in s.notes]
    assert any("handle from Invitations.csv" in n for n in notes)
    assert any("followers" in n and "null" in n for n in notes)


def test_main_export_connections(main_export):
    wb = warmcall.load(main_export)
    c = wb.connections.sort("contact_id")
    # alice (Connections + Member_Follows merged), bob, henry (follow only), jürgen
    assert c["contact_id"].to_list() == [
        "alice-example-1111", "bob-example-2222", "jürgen-beispiel-2222", "name:henry creator",
    ]  # fmt: skip
    assert set(c["account_id"]) == {f"linkedin:{OWN}"} and set(c["platform"]) == {"linkedin"}
    alice = c.row(0, named=True)
    assert alice["display_name"] == "Alice Example" and alice["handle"] == "alice-example-1111"
    assert (
        alice["company"] == "Example Corp, Inc." and alice["position"] == "Director of People Ops"
    )
    assert alice["connected_at"] == datetime(2023, 2, 8, tzinfo=UTC)
    assert alice["follows_me"] is True and alice["i_follow"] is True and alice["bio"] is None
    assert "Connections.csv:5" in alice["source"] and "Member_Follows.csv:5" in alice["source"]
    jurgen = c.row(2, named=True)
    assert (
        jurgen["display_name"] == "Jürgen Beispiel" and jurgen["handle"] == "jürgen-beispiel-2222"
    )
    assert jurgen["connected_at"] == datetime(2024, 1, 15, tzinfo=UTC)
    henry = c.row(3, named=True)
    assert henry["i_follow"] is True and henry["follows_me"] is None and henry["handle"] is None
    assert henry["connected_at"] is None


def test_main_export_interactions(main_export):
    wb = warmcall.load(main_export)
    i = wb.interactions.sort("ts", "contact_id")
    got = [
        (
            r["contact_id"],
            r["kind"],
            r["direction"],
            r["ts"],
            r["source"].rsplit("/", 1)[-1].split("!")[-1],
        )
        for r in i.iter_rows(named=True)
    ]
    assert got == [
        ("alice-example-1111", "endorsement", "in", datetime(2024, 2, 1, 15, 2, 55, tzinfo=UTC),
         "Endorsement_Received_Info.csv:2"),
        ("alice-example-1111", "dm", "in", datetime(2025, 6, 1, 14, 3, 22, tzinfo=UTC), "messages.csv:2"),
        ("alice-example-1111", "dm", "out", datetime(2025, 6, 1, 15, tzinfo=UTC), "messages.csv:3"),
        ("alice-example-1111", "dm", "out", datetime(2025, 6, 2, 9, tzinfo=UTC), "messages.csv:6"),
        ("bob-example-2222", "dm", "out", datetime(2025, 6, 2, 9, tzinfo=UTC), "messages.csv:6"),
        ("bob-example-2222", "dm", "in", datetime(2025, 6, 4, 9, tzinfo=UTC), "messages.csv:8"),
        ("erin-incoming-5555", "invitation", "in", datetime(2025, 12, 3, 9, 5, tzinfo=UTC), "Invitations.csv:3"),
        ("dan-newman-4444", "invitation", "out", datetime(2026, 1, 29, 14, 37, tzinfo=UTC), "Invitations.csv:2"),
    ]  # fmt: skip
    assert i["post_id"].null_count() == i.height


def test_main_export_posts(main_export):
    p = warmcall.load(main_export).posts.sort("ts")
    assert p["post_id"].to_list() == [
        "urn:li:share:1111111111111111111",
        "urn:li:share:2222222222222222222",
    ]
    assert p["text"].to_list() == ['Excited to share … "quoted"\nsecond line', None]
    assert p["ts"].to_list() == [
        datetime(2025, 8, 1, 10, tzinfo=UTC),
        datetime(2025, 8, 2, 11, tzinfo=UTC),
    ]
    assert p["is_repost"].to_list() == [False, False]
    assert p["likes"].null_count() == 2 and p["impressions"].null_count() == 2


def test_comments_backslash_quotes_parsed():
    df = linkedin._read_escaped(COMMENTS, 0)
    assert df["Message"].to_list() == ['Great point, "Bob"!', 'He said "multi\nline"', "no date"]
    assert df["_line"].to_list() == [2, 3, 5] and df["Date"][2] is None


# -- variants ---------------------------------------------------------------------------


def test_old_connections_without_url_and_preamble(tmp_path):
    old = (
        "First Name,Last Name,Email Address,Company,Position,Connected On\n"
        "Alice,Example,,Example Corp,Director,08 Feb 2023\n"  # 2 -> name:alice example
        ",,,,,12 Mar 2019\n"  # 3 rejected
        "Bob,Example,,,,31 Feb 2020\n"  # 4 rejected, no such day
    )  # read 3, loaded 1, rejected 2
    folder, zp = _write(tmp_path, {"Connections.csv": old}, "old")
    for p in (folder, zp):
        wb = warmcall.load(p)
        assert _report(wb)["Connections.csv"][:3] == (3, 1, 2)
        assert wb.connections["contact_id"].to_list() == ["name:alice example"]
        assert wb.connections["handle"].to_list() == [None]
        assert wb.accounts["account_id"].to_list() == ["linkedin:me"]
        reasons = {r["line"]: r["reason"] for r in _report(wb)["Connections.csv"][3]}
        assert reasons[4] == "unparsable Connected On '31 Feb 2020' (expected %d %b %Y)"
        assert any("handle 'me'" in n for s in wb.report.sources for n in s.notes)


def test_messages_2022_era_own_from_messages(tmp_path):
    msgs = (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,DATE,SUBJECT,CONTENT,FOLDER\n"
        f"c1,,Alice Example,{ALICE},Olivia Owner,2021-05-01 10:00:00 UTC,,Hello,INBOX\n"  # 2 in alice
        f"c1,,Olivia Owner,{IN}{OWN},Alice Example,2021-05-01 11:00:00 UTC,,Hi back,INBOX\n"  # 3 out
        f"c2,,Olivia Owner,{IN}{OWN},Zed Unknown,2021-05-02 11:00:00 UTC,,x,INBOX\n"  # 4 out zed
        "c3,,LinkedIn Member,,Olivia Owner,2021-05-03 11:00:00 UTC,,Ad,INBOX\n"  # 5 rejected
        f"c1,,Alice Example,{ALICE},Olivia Owner,01/05/2021 12:00,,late,INBOX\n"  # 6 rejected
    )  # read 5, loaded 3, rejected 2
    folder, zp = _write(tmp_path, {"messages.csv": msgs}, "era2022")
    for p in (folder, zp):
        wb = warmcall.load(p)
        # no Profile.csv, no Invitations: the name in every conversation is the own one
        assert wb.accounts["account_id"].to_list() == [f"linkedin:{OWN}"]
        assert wb.accounts["display_name"].to_list() == ["Olivia Owner"]
        assert _report(wb)["messages.csv"][:3] == (5, 3, 2)
        i = wb.interactions.sort("ts")
        # the recipient 'Alice Example' (no URL in this era) takes the slug seen with her name
        assert i.select("contact_id", "direction").rows() == [
            ("alice-example-1111", "in"), ("alice-example-1111", "out"), ("name:zed unknown", "out"),
        ]  # fmt: skip
        reasons = {r["line"]: r["reason"] for r in _report(wb)["messages.csv"][3]}
        assert reasons == {
            5: "no counterpart: sender 'LinkedIn Member' (deleted or hidden) has no profile URL",
            6: "unparsable DATE '01/05/2021 12:00' (expected %Y-%m-%d %H:%M:%S UTC)",
        }


def test_messages_dec_2024_era_own_not_a_connection(tmp_path):
    msgs = (
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,"
        "SUBJECT,CONTENT,FOLDER,IS MESSAGE DRAFT,IS CONVERSATION DRAFT\n"
        f'2-MTEx,,Alice Example,{ALICE},Olivia Owner,{IN}{OWN},2024-12-01 14:03:22 UTC,,"Thanks for '
        'the intro, free Thursday?",INBOX,No,No\n'  # 2 in alice
        f'2-MTEx,,Olivia Owner,{IN}{OWN},Alice Example,{ALICE},2024-12-01 15:00:00 UTC,,"Yes\n'
        'see you",INBOX,No,No\n'  # 3-4 out alice
    )  # read 2, loaded 2
    files = {"messages.csv": msgs, "Connections.csv": CONNECTIONS}  # no Profile.csv
    folder, _ = _write(tmp_path, files, "era2024")
    wb = warmcall.load(folder)
    # one conversation: both sides are in every conversation; alice is a connection, so not own
    assert wb.accounts["account_id"].to_list() == [f"linkedin:{OWN}"]
    assert wb.accounts["display_name"].to_list() == ["Olivia Owner"]
    assert _report(wb)["messages.csv"][:3] == (2, 2, 0)
    assert wb.interactions.sort("ts")["direction"].to_list() == ["in", "out"]
    assert any("handle from messages.csv" in n for s in wb.report.sources for n in s.notes)


def test_invitations_five_columns(tmp_path):
    inv = (
        "From,To,Sent At,Message,Direction\n"
        'Olivia Owner,Alice Example,"1/29/26, 2:37 PM",,OUTGOING\n'  # 2 out, name -> connection slug
        'Greg Stranger,Olivia Owner,"1/30/26, 10:00 AM",Hello,INCOMING\n'  # 3 in name:greg stranger
        'Olivia Owner,Hal Other,"1/31/26, 10:00 AM",,SIDEWAYS\n'  # 4 rejected
    )  # read 3, loaded 2, rejected 1
    files = {"Profile.csv": PROFILE, "Invitations.csv": inv, "Connections.csv": CONNECTIONS}
    folder, zp = _write(tmp_path, files, "inv5")
    for p in (folder, zp):
        wb = warmcall.load(p)
        assert _report(wb)["Invitations.csv"][:3] == (3, 2, 1)
        i = wb.interactions.sort("ts")
        assert i.select("contact_id", "kind", "direction").rows() == [
            ("alice-example-1111", "invitation", "out"), ("name:greg stranger", "invitation", "in"),
        ]  # fmt: skip
        assert _report(wb)["Invitations.csv"][3] == [
            {"line": 4, "reason": "unknown Direction 'SIDEWAYS'"}
        ]
        # Profile.csv gives the name, but nothing gives a profile URL: handle 'me'
        assert wb.accounts["account_id"].to_list() == ["linkedin:me"]


def test_missing_connections_header_is_input_error(tmp_path):
    bad = PREAMBLE + "First Name,Last Name,URL\nAlice,Example,x\n"
    folder, zp = _write(tmp_path, {"Connections.csv": bad}, "bad")
    for p in (folder, zp):
        with pytest.raises(InputError) as ei:
            warmcall.load(p)
        assert "Connections.csv" in str(ei.value) and "connected on" in str(ei.value)
        assert "\n" not in str(ei.value)


def test_broken_file_is_reported_and_the_rest_loads(tmp_path):
    # messages.csv has no DATE column (cannot be read at all): it is reported with the
    # reason, and Connections.csv still loads.
    folder, _ = _write(
        tmp_path, {"Connections.csv": CONNECTIONS, "messages.csv": "FROM,TO\na,b\n"}, "bad2"
    )
    wb = warmcall.load(folder)
    rep = _report(wb)
    assert rep["messages.csv"][:3] == (0, 0, 0)
    assert rep["Connections.csv"][:3] == (5, 3, 2)
    (msg,) = [s for s in wb.report.sources if s.path.endswith("messages.csv")]
    assert msg.notes == ["messages.csv not read: no header row with the columns from, to, date "
                         "(LinkedIn messages)"]  # fmt: skip
    assert "messages.csv not read" in wb.report.text()
    # a file that was not read declares no signal
    assert set(wb.signals["signal"]) == {"followers", "following", "profiles"}


def test_export_that_yields_nothing_is_one_input_error(tmp_path):
    # Both files are unreadable (the Notes: preamble makes it a LinkedIn export): one line
    # naming the export, its first problem and how many more.
    files = {"Connections.csv": PREAMBLE + "First Name,Last Name,URL\nAlice,Example,x\n",
             "messages.csv": "FROM,TO\na,b\n"}  # fmt: skip
    folder, _ = _write(tmp_path, files, "nothing")
    with pytest.raises(InputError) as ei:
        warmcall.load(folder)
    msg = str(ei.value)
    assert msg.startswith(f"{folder}: nothing could be loaded from this LinkedIn export: ")
    assert "Connections.csv: no header row" in msg and "(and 1 more unreadable file(s))" in msg
    # from the command line: that one line on stderr, exit code 2
    from warmcall.run.cli import main

    assert main(["load", str(folder)]) == 2


def test_empty_and_header_only_files(tmp_path):
    files = {
        "Connections.csv": CONNECTIONS,
        "messages.csv": "No conversations found\n",  # empty: read 0
        "Shares.csv": "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n",  # read 0
    }
    folder, _ = _write(tmp_path, files, "empties")
    rep = _report(warmcall.load(folder))
    assert rep["messages.csv"][:3] == (0, 0, 0) and rep["Shares.csv"][:3] == (0, 0, 0)
    assert rep["Connections.csv"][:3] == (5, 3, 2)


# -- sample writer round trip ----------------------------------------------------------

ACC = f"linkedin:{OWN}"


def _canonical() -> dict[str, pl.DataFrame]:
    def ts(*a):
        return datetime(*a, tzinfo=UTC)

    accounts = pl.DataFrame(
        {"account_id": [ACC], "platform": ["linkedin"], "handle": [OWN],
         "display_name": ["Olivia Owner"], "snapshot_date": [date(2026, 3, 15)]},
    )  # fmt: skip
    connections = pl.DataFrame(
        {
            "account_id": [ACC] * 4,
            "platform": ["linkedin"] * 4,
            "contact_id": [
                "alice-example-1111",
                "jürgen-beispiel-2222",
                "name:zed unknown",
                "bob-x",
            ],
            "handle": ["alice-example-1111", "jürgen-beispiel-2222", None, "bob-x"],
            "display_name": ["Alice Example", "Jürgen Beispiel", "Zed Unknown", None],
            "company": ['Example Corp, Inc. "EC"', None, "Zed Ltd", None],
            "position": ["Director of People Ops", "CTO", None, None],
            "follows_me": [True] * 4,
            "i_follow": [True] * 4,
            "connected_at": [ts(2023, 2, 8), ts(2024, 1, 15), ts(2019, 3, 12), None],
        }
    )
    interactions = pl.DataFrame(
        {
            "account_id": [ACC] * 6,
            "platform": ["linkedin"] * 6,
            "contact_id": ["alice-example-1111", "jürgen-beispiel-2222", "name:zed unknown",
                           "dan-newman-4444", "erin-incoming-5555", "alice-example-1111"],
            "ts": [ts(2025, 6, 1, 14, 3, 22), ts(2025, 6, 2, 9, 0, 1), ts(2025, 6, 3, 23, 59, 59),
                   ts(2026, 1, 29, 14, 37), ts(2025, 12, 3, 0, 5), ts(2024, 2, 1, 15, 2, 55)],
            "kind": ["dm", "dm", "dm", "invitation", "invitation", "endorsement"],
            "direction": ["in", "out", "out", "out", "in", "in"],
        }
    )  # fmt: skip
    posts = pl.DataFrame(
        {
            "account_id": [ACC] * 2,
            "platform": ["linkedin"] * 2,
            "post_id": ["urn:li:share:1111111111111111111", "urn:li:activity:2222222222222222222"],
            "ts": [ts(2025, 8, 1, 10), ts(2025, 8, 2, 11, 30, 5)],
            "text": ['Excited to share … "quoted", with a comma\nsecond line', None],
            "is_repost": [False, False],
        }
    )
    return {
        "accounts": accounts,
        "connections": connections,
        "interactions": interactions,
        "posts": posts,
    }


CARRIED = {
    "accounts": ["account_id", "platform", "handle", "display_name", "snapshot_date"],
    "connections": ["account_id", "platform", "contact_id", "handle", "display_name", "company",
                    "position", "follows_me", "i_follow", "connected_at"],
    "interactions": ["account_id", "platform", "contact_id", "ts", "kind", "direction"],
    "posts": ["account_id", "platform", "post_id", "ts", "text", "is_repost"],
}  # fmt: skip
SORT = {"accounts": ["account_id"], "connections": ["contact_id"], "interactions": ["ts", "contact_id"],
        "posts": ["post_id"]}  # fmt: skip


def test_writer_round_trip(tmp_path):
    tables = _canonical()
    path = li_writer.write(tables, ACC, tmp_path)
    assert path.name == "Basic_LinkedInDataExport_03-15-2026.zip"
    wb = warmcall.load(path)
    assert wb.report.rows_rejected == 0
    # Profile 1 + Connections 4 + messages 3 + Invitations 2 + Endorsements 1 + Shares 2
    assert wb.report.rows_read == 13 == wb.report.rows_loaded
    for name, cols in CARRIED.items():
        want = tables[name].select(cols).sort(SORT[name])
        got = wb.tables()[name].select(cols).sort(SORT[name])
        assert got.to_dicts() == want.to_dicts(), name
    # columns the format cannot carry come back null
    assert wb.connections["bio"].null_count() == 4 and wb.posts["likes"].null_count() == 2


def test_writer_layout_and_determinism(tmp_path):
    a = li_writer.write(_canonical(), ACC, tmp_path / "a" / "x.zip")
    b = li_writer.write(_canonical(), ACC, tmp_path / "b" / "x.zip")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        names = zf.namelist()
        conn = zf.read("Connections.csv").decode()
        msgs = zf.read("messages.csv").decode()
        inv = zf.read("Invitations.csv").decode()
    assert names == sorted(names) and "Profile.csv" in names
    assert conn.startswith(
        PREAMBLE + "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    )
    assert f"{IN}j%C3%BCrgen-beispiel-2222" in conn and "08 Feb 2023" in conn
    assert msgs.splitlines()[0] == H25.strip().replace('"', "")
    assert '"1/29/26, 2:37 PM"' in inv and '"12/3/25, 12:05 AM"' in inv


def test_writer_dates_are_locale_free():
    assert li_writer.connected_on(date(2024, 5, 3)) == "03 May 2024"
    assert li_writer.sent_at(datetime(2026, 1, 29, 0, 7)) == "1/29/26, 12:07 AM"
    assert li_writer.sent_at(datetime(2026, 11, 9, 12, 0)) == "11/9/26, 12:00 PM"


def test_writer_single_conversation_with_a_stranger(tmp_path):
    # Both sides are in the only conversation and neither is a connection: Profile.csv's
    # name tells which one is the own account.
    t = _canonical()
    t["connections"] = t["connections"].head(0)
    t["interactions"] = t["interactions"].filter(pl.col("contact_id") == "name:zed unknown")
    wb = warmcall.load(li_writer.write(t, ACC, tmp_path))
    assert wb.accounts["account_id"].to_list() == [ACC]
    assert wb.interactions.select("contact_id", "direction").rows() == [("name:zed unknown", "out")]


def test_single_file_source(tmp_path):
    # A lone Connections.csv given as a file (not a folder or zip).
    p = tmp_path / "Connections.csv"
    p.write_text(CONNECTIONS, encoding="utf-8")
    wb = warmcall.load(p)
    assert [(s.rows_read, s.rows_loaded, s.rows_rejected) for s in wb.report.sources] == [(5, 3, 2)]
    assert wb.accounts["account_id"].to_list() == ["linkedin:me"]
    assert wb.connections.height == 3
