"""One sanitiser per output kind (``warmcall.core.sanitize``), used by every output, and error
messages that never quote file content.

1. The sanitisers themselves: terminal text is one line with no character a terminal acts
   on; JSON for the terminal parses back to the same data; vCard TEXT follows RFC 6350 §3.4.
2. One copy: the old names (``display.escape``, ``outputs.ics_escape``, ...) are the
   sanitisers of ``warmcall.core.sanitize``, and no other module carries its own.
3. Through the CLI: folder names and archive member names holding escape sequences and
   newlines cannot clear the screen or forge a line of warmcall's output.
4. Errors quote positions and names, never a file's content.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core import outputs, sanitize
from warmcall.core.errors import is_plain_name
from warmcall.core.sanitize import BIDI_CONTROLS, terminal, terminal_json, vcard_escape
from warmcall.present import display
from warmcall.run import cli

ESC = "\x1b"
FORGED = "warmcall: all 0 rows loaded OK"
CLEAR_AND_FORGE = f"x{ESC}[2J{ESC}[H\n{FORGED}"  # clear the screen, new line, a forged line
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [ESC, "\n", "\r", "\t", "\x00", "\x07", "\x7f", "\x85", "\x9b", "\u2028", "\u2029",
         "\u202e", "\u2066", "\u200f", "\udcff", "a", "é", "字", " ", "[", "\\"]
    )
    | st.characters(),
    max_size=40,
)  # fmt: skip


def _acts_on_terminal(c: str) -> bool:
    """What a terminal interprets or cannot print: controls (C0, DEL, C1), line separators,
    bidi controls and lone surrogates."""
    cat = unicodedata.category(c)
    return cat in ("Cc", "Cs") or c in BIDI_CONTROLS or c in "\u2028\u2029"


# ----------------------------------------------------------------------------- 1. sanitisers


@settings(max_examples=200, deadline=None)
@given(HOSTILE_TEXT)
def test_terminal_text_is_one_inert_line(s: str) -> None:
    out = terminal(s)
    assert not any(_acts_on_terminal(c) for c in out), ascii(out)
    assert len(out.splitlines()) <= 1
    out.encode("utf-8")  # printable on a UTF-8 terminal (a lone surrogate would raise)
    if not any(_acts_on_terminal(c) for c in s):
        assert out == s  # ordinary text (any script, emoji joiners, RLM) is left alone


def test_terminal_shows_what_it_escaped() -> None:
    assert terminal(CLEAR_AND_FORGE) == f"x\\x1b[2J\\x1b[H\\x0a{FORGED}"
    assert terminal("a\x9b31mb\x7f") == "a\\x9b31mb\\x7f"  # C1 CSI and DEL
    assert terminal("evil\u202etxt.exe") == "evil[U+202E]txt.exe"
    assert terminal("line\u2028sep") == "line[U+2028]sep"
    assert terminal("caf\udce9") == "caf\\xe9"  # a Latin-1 file name byte (surrogateescape)
    assert terminal("ab\tc") == "ab\\x09c"
    assert terminal("x" * 10, limit=5) == "xxxx…"
    assert terminal("Ренэ 字 \u200f") == "Ренэ 字 \u200f"


json_data = st.recursive(
    st.none() | st.booleans() | st.integers() | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(json_data)
def test_terminal_json_parses_back_to_the_same_data(data) -> None:
    text = terminal_json(json.dumps(data, ensure_ascii=False, indent=2))
    assert not any(_acts_on_terminal(c) for c in text.replace("\n", "")), ascii(text)
    assert json.loads(text) == data


def _vcard_unescape(v: str) -> str:
    """RFC 6350 §3.4, read back: ``\\\\`` ``\\,`` ``\\;`` ``\\n``/``\\N``."""
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), v)


def test_vcard_escape_rfc6350() -> None:
    assert vcard_escape("Doe; John, Jr.\\Esq") == "Doe\\; John\\, Jr.\\\\Esq"
    assert vcard_escape("line 1\r\nline 2\rline 3\nend") == "line 1\\nline 2\\nline 3\\nend"
    assert vcard_escape("bell\x07 del\x7f tab\t") == "bell  del  tab\t"
    assert vcard_escape(None) == ""


@settings(max_examples=150, deadline=None)
@given(HOSTILE_TEXT)
def test_vcard_value_cannot_leave_its_property(s: str) -> None:
    """Escaped, a value has no raw newline (no new property line), no bare ``,`` or ``;``
    (no extra list item or compound component), and reads back to the value with line
    breaks normalised and other controls as spaces."""
    v = vcard_escape(s)
    assert "\n" not in v and "\r" not in v
    assert re.fullmatch(r"(?:[^\\,;]|\\[\\,;n])*", v), v
    want = s.replace("\r\n", "\n").replace("\r", "\n")
    want = "".join(" " if (ord(c) < 32 and c not in "\t\n") or ord(c) == 127 else c for c in want)
    assert _vcard_unescape(v) == want


# ----------------------------------------------------------------------------- 2. one copy


def test_every_output_uses_the_one_sanitiser() -> None:
    assert display.escape is sanitize.html
    assert display.neutralize is sanitize.neutralize
    assert display.BIDI_CONTROLS is sanitize.BIDI_CONTROLS
    assert outputs.ics_escape is sanitize.ics_escape
    assert outputs.neutralize_formulas is sanitize.neutralize_formulas
    assert outputs.FORMULA_PREFIXES is sanitize.FORMULA_PREFIXES
    lib = Path(sanitize.__file__).parent
    copies = [
        p.name
        for p in lib.rglob("*.py")
        if p.name != "sanitize.py"
        and re.search(r"unicodedata\.category\(|def _terminal_safe|_BIDI = ", p.read_text())
    ]
    assert copies == [], copies


# ----------------------------------------------------------------------------- 3. the CLI

ACCOUNTS_CSV = "account_id,platform,handle,followers\nx:me,x,me,10\n"


def _run(argv: list[str], capsys) -> tuple[int, str, str]:
    rc = cli.main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def _assert_inert(text: str) -> None:
    assert ESC not in text and "\x9b" not in text and "\u202e" not in text
    assert FORGED not in text.splitlines()
    assert not any(ln.startswith(FORGED) for ln in text.splitlines())


def test_folder_name_cannot_clear_the_screen_or_forge_a_line(tmp_path: Path, capsys) -> None:
    d = tmp_path / CLEAR_AND_FORGE
    d.mkdir()
    (d / "notes.txt").write_text("nothing to load\n")
    rc, out, err = _run(["load", str(d)], capsys)
    assert rc == 2 and out == ""
    assert len(err.splitlines()) == 1, err  # one line, naming the folder visibly
    assert err.startswith("warmcall: error: ") and "x\\x1b[2J\\x1b[H\\x0awarmcall" in err
    _assert_inert(err)

    ok = tmp_path / f"ok{ESC}]0;title\x07\u202e"  # an OSC title sequence and a bidi override
    ok.mkdir()
    (ok / "accounts.csv").write_text(ACCOUNTS_CSV)
    out_dir = tmp_path / f"out{ESC}[2J"
    rc, out, err = _run(["load", str(ok), "--out", str(out_dir)], capsys)
    assert rc == 0
    _assert_inert(out + err)
    assert "total: read 1 = loaded 1 + rejected 0" in out.splitlines()
    assert all(ln.startswith("wrote ") and "\\x1b[2J" in ln for ln in err.splitlines())


def _x_archive_with_hostile_names(path: Path) -> Path:
    account = 'window.YTD.account.part0 = [{"account": {"username": "alice", "accountId": "1"}}]'
    ghost = f"data/{CLEAR_AND_FORGE}\u202e/tweets-part9.js"  # listed, but not in the archive
    manifest = "window.__THAR_CONFIG = " + json.dumps({
        "userInfo": {"accountId": "1", "userName": "alice"},
        "dataTypes": {"tweets": {"files": [{"fileName": ghost, "count": "1"}]}},
    })  # fmt: skip
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("data/manifest.js", manifest)
        zf.writestr("data/account.js", account)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr(f"data/{CLEAR_AND_FORGE}\x9b.txt", "a")
            zf.writestr(f"data/{CLEAR_AND_FORGE}\x9b.txt", "b")  # a duplicate: noted by name
    return path


def test_member_names_cannot_act_on_the_terminal(tmp_path: Path, capsys) -> None:
    z = _x_archive_with_hostile_names(tmp_path / "twitter-2026-01-01-abc.zip")
    rc, out, err = _run(["load", str(z)], capsys)
    assert rc == 0 and err == ""
    _assert_inert(out)
    notes = [ln for ln in out.splitlines() if ln.startswith("note: ")]
    assert any("manifest lists" in n and "\\x1b[2J" in n and "[U+202E]" in n for n in notes)
    assert any("(copy 2): not read" in n and "\\x9b" in n for n in notes), notes

    rc, out, err = _run(["load", str(z), "--json"], capsys)  # JSON: escaped, same data
    assert rc == 0
    _assert_inert(out)
    report = json.loads(out)
    names = [s["path"] for s in report["sources"]]
    assert any(n.endswith(f"data/{CLEAR_AND_FORGE}\x9b.txt (copy 2)") for n in names), names


# ----------------------------------------------------------------------------- 4. error messages

SHADOW = "root:$6$SECRETHASH$more:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"


def test_errors_never_quote_a_file_given_by_mistake(tmp_path: Path, capsys) -> None:
    """A password file given as data, as a mapping or as params: the error names the file,
    positions and the mapping's own column names, never a byte of the file."""
    shadow = tmp_path / "shadow"
    shadow.write_text(SHADOW)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("platform: x\ntable: accounts\ncolumns: {handle: name}\n")
    runs = [
        ["load", str(shadow), "--mapping", str(mapping)],
        ["load", str(tmp_path / "m.yaml"), "--mapping", str(shadow)],
        ["plan", "--params", str(shadow)],
    ]
    for argv in runs:
        rc, out, err = _run(argv, capsys)
        assert rc == 2 and out == "" and len(err.splitlines()) == 1, (argv, err)
        for secret in ("SECRET", "root", "daemon", "19000", "99999", "$6$"):
            assert secret not in err.replace(str(tmp_path), ""), (argv, err)
    rc, _, err = _run(runs[0], capsys)
    # the mapping's name and the position or shape of the file, never its content
    assert "'name'" in err and ("line 1" in err or "single column" in err)
    rc, _, err = _run(runs[1], capsys)
    assert "unknown key <key 1>; unknown key <key 2>" in err  # positions, not the keys


@pytest.mark.parametrize(
    ("name", "plain"),
    [("Tweet id", True), ("quality.weights", True), ("답글", True), ("% of total", False),
     ("root:$6$x:::", False), ("API_KEY=abc", False), ("a" * 65, False), ("ok ", False)],
)  # fmt: skip
def test_plain_names(name: str, plain: bool) -> None:
    assert is_plain_name(name) is plain
