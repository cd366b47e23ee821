"""One sanitiser per output kind. Strings from data are hostile (names, bios, post texts,
archive member names and folder names are written by strangers), so every string that
reaches an output goes through the sanitiser of that output, and only through this module:

=================  ==============================  ============================================
output             function                        rule
=================  ==============================  ============================================
terminal           ``terminal(s)``                 control characters as visible escapes, one
                   ``terminal_json(text)``         line per message (below)
HTML / Markdown    ``html(s)``                     ``html.escape`` + ``[ ]`` as references +
                                                   bidi controls as a visible marker
CSV                ``neutralize_formulas(expr)``   OWASP "CSV Injection": leading ``'``
iCalendar TEXT     ``ics_escape(s)``               RFC 5545 §3.3.11
vCard TEXT         ``vcard_escape(s)``             RFC 6350 §3.4
vCard via vobject  ``vcard_text(s)``               one line, no control character, bidi
                                                   controls as a visible marker (vobject
                                                   escapes; ``core.vcard``)
YAML comment       ``yaml_comment(s)``             no line break, no control character
=================  ==============================  ============================================

Terminal (``terminal``). A terminal acts on control characters: ESC starts a sequence that can
clear the screen, move the cursor or rewrite a line already printed (``\\x1b[2K\\r``), a
newline starts a line that looks like one of warmcall's own. Every C0 and C1 control
character and DEL (Unicode category Cc, newline and tab included) is shown as ``\\xNN``; the
line and paragraph separators U+2028/U+2029 and the bidi embedding/override/isolate controls
(below) as ``[U+XXXX]``; a lone surrogate (what Python makes of a file name that is not
valid UTF-8) as ``\\xNN`` of the original byte. What is left prints as one line, whatever
the data. ``terminal_json`` does the same for JSON text printed to a terminal, as ``\\uXXXX``
escapes inside the strings, so the JSON still parses back to the same data.

Bidi controls. The explicit embedding / override / isolate characters U+202A..U+202E and
U+2066..U+2069 can make text display in a different order than it is stored (the "Trojan
Source" trick: a name that reads ``exe.txt`` but is ``txt.exe``). They are **replaced by a
visible marker** ``[U+202E]`` (``neutralize``; in HTML, charts, tables and the terminal), so
the reader sees that the text contains one and the following text keeps its real order. The
weak marks LRM/RLM/ALM (U+200E, U+200F, U+061C) cannot reorder text on their own and are
kept, so that legitimate right-to-left names are unchanged.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polars is imported where a CSV expression is built
    import polars as pl

__all__ = [
    "BIDI_CONTROLS",
    "FORMULA_PREFIXES",
    "html",
    "ics_escape",
    "neutralize",
    "neutralize_formulas",
    "terminal",
    "terminal_json",
    "vcard_escape",
    "vcard_text",
    "yaml_comment",
]

#: Explicit bidi embedding/override (U+202A..U+202E) and isolate (U+2066..U+2069) controls.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_BIDI_TABLE = {ord(c): f"[U+{ord(c):04X}]" for c in BIDI_CONTROLS}


def neutralize(s: str) -> str:
    """Replace bidi embedding/override/isolate controls by a visible ``[U+XXXX]`` marker
    (module docstring: which characters and why)."""
    return s.translate(_BIDI_TABLE)


# ------------------------------------------------------------------------------ terminal

_LINE_SEPARATORS = (0x2028, 0x2029)


def _terminal_char(c: str) -> str:
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:  # surrogateescape: an undecodable byte of a file name
        return f"\\x{o - 0xDC00:02x}"
    cat = unicodedata.category(c)
    if cat == "Cc":
        return f"\\x{o:02x}"
    if c in BIDI_CONTROLS or o in _LINE_SEPARATORS or cat == "Cs":
        return f"[U+{o:04X}]"
    return c


def _is_plain(s: str) -> bool:
    """True when no character of ``s`` needs ``_terminal_char`` (the common case, fast)."""
    return s.isprintable() and not any(c in BIDI_CONTROLS for c in s)


def terminal(s: object, limit: int | None = None) -> str:
    """``str(s)`` safe to print on a terminal as (part of) one line (module docstring):
    control characters (Cc) as ``\\xNN``, bidi controls and U+2028/U+2029 as ``[U+XXXX]``,
    lone surrogates as ``\\xNN`` of their byte. With ``limit``, at most ``limit`` characters
    (the last one ``…``) after escaping."""
    text = str(s)
    if not _is_plain(text):
        text = "".join(
            c if c.isprintable() and c not in BIDI_CONTROLS else _terminal_char(c) for c in text
        )
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return text


# Characters json.dumps(ensure_ascii=False) leaves raw that a terminal acts on or cannot
# print: DEL, C1 controls, bidi controls, U+2028/9 and surrogates (C0 is always escaped).
_JSON_TABLE = {
    c: f"\\u{c:04x}"
    for c in (0x7F, *range(0x80, 0xA0), *(ord(b) for b in BIDI_CONTROLS), *_LINE_SEPARATORS,
              *range(0xD800, 0xE000))
}  # fmt: skip


def terminal_json(text: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) safe to print: the characters a
    terminal would act on become ``\\uXXXX`` escapes. They can only occur inside JSON
    strings, so ``json.loads`` gives back exactly the same data."""
    return text.translate(_JSON_TABLE)


# ------------------------------------------------------------------------------ HTML

# ``html``: html.escape's five characters, plus ``[`` and ``]`` as numeric character
# references. HTML shows ``&#91;`` exactly as ``[``, but Markdown never parses a reference as
# syntax, so escaped text put into Markdown (the notebooks' headings) cannot become a link or
# an image (``[x](javascript:alert(1))``, ``![x](url)``, ``[x]: url`` definitions). The only
# literal brackets left are those of ``[U+XXXX]`` markers; a ``(`` or ``:`` right after one
# is encoded too, so a marker cannot start a link either.
_ESCAPE_TABLE = {
    ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;", ord("'"): "&#x27;",
    ord("["): "&#91;", ord("]"): "&#93;",
}  # fmt: skip


def html(s: object) -> str:
    """HTML-escape ``str(s)`` and neutralise bidi controls: ``& < > " '`` as entities (as
    ``html.escape(quote=True)``), bidi controls as a visible ``[U+XXXX]`` marker, and ``[ ]``
    as numeric character references (see above).

    Safe in element content, in quoted attribute values and in Markdown text: browsers show
    the same characters, while Markdown cannot turn data into a link or an image (emphasis
    characters are left alone: they can only change how text looks).
    """
    out = neutralize(str(s).translate(_ESCAPE_TABLE))
    if "[U+" in out:  # a marker: "](" / "]:" would make it a link or a link definition
        out = out.replace("](", "]&#40;").replace("]:", "]&#58;")
    return out


# ------------------------------------------------------------------------------ CSV

#: OWASP "CSV Injection": cells starting with one of these get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(e: pl.Expr) -> pl.Expr:
    """Prepend ``'`` to a text cell that starts with one of ``FORMULA_PREFIXES`` (OWASP,
    "CSV Injection": a spreadsheet would otherwise run the cell as a formula)."""
    import polars as pl

    return pl.when(formula_start(e)).then(pl.lit("'") + e).otherwise(e)


def formula_start(e: pl.Expr) -> pl.Expr:
    """True where a text cell starts with one of ``FORMULA_PREFIXES`` (``neutralize_formulas``
    rewrites exactly these cells)."""
    import polars as pl

    return pl.any_horizontal([e.str.starts_with(p) for p in FORMULA_PREFIXES])


# ------------------------------------------------------------------------------ iCalendar, vCard


def _controls_to_spaces(s: str) -> str:
    """Control characters other than tab (not allowed in iCalendar/vCard text) as spaces."""
    return "".join(" " if (ord(ch) < 32 and ch != "\t") or ord(ch) == 127 else ch for ch in s)


def ics_escape(value: object) -> str:
    """RFC 5545 §3.3.11 TEXT escaping: ``\\`` ``;`` ``,`` and newlines (CRLF, LF, CR → ``\\n``);
    other control characters (not allowed in TEXT) become spaces."""
    s = "" if value is None else str(value)
    s = s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _controls_to_spaces(s)


def vcard_escape(value: object) -> str:
    """RFC 6350 §3.4 TEXT escaping for a vCard 4.0 property value: backslash as ``\\\\``,
    comma as ``\\,``, semicolon as ``\\;`` (so a value can never split a list or a compound
    value such as N or ADR) and newlines (CRLF, LF, CR) as ``\\n``; other control characters
    (not allowed by the VALUE-CHAR rule of §3.3) become spaces. Folding long lines is the
    writer's job (§3.2, the same 75-octet rule as iCalendar)."""
    s = "" if value is None else str(value)
    s = s.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _controls_to_spaces(s)


def vcard_text(value: object) -> str:
    """A string from data made safe for a vCard value that ``vobject`` then escapes
    (``core.vcard``; vobject escapes backslash, comma, semicolon and newline itself, so the
    value is not escaped here, or it would be escaped twice): every control character
    (category Cc: newline, CR, tab, NUL, ESC, DEL, C1 such as NEL) and the line/paragraph
    separators U+2028/U+2029 become a space, so a value is one line and can never start a
    property such as ``END:VCARD``; bidi controls become a visible marker (``neutralize``)."""
    s = "" if value is None else str(value)
    out = "".join(
        " " if unicodedata.category(c) == "Cc" or ord(c) in _LINE_SEPARATORS else c for c in s
    )
    return neutralize(out)


# ------------------------------------------------------------------------------ YAML comment


def yaml_comment(text: object, limit: int = 80) -> str:
    """``text`` made safe for a YAML comment (the params files ``warmcall init`` writes):
    control characters and line/paragraph separators (YAML ends a comment at NEL, LS and PS
    too) become spaces, format characters (bidi controls) and unassigned code points are
    dropped, whitespace is collapsed; at most ``limit`` characters (the last one ``…``).
    Values themselves are written as double-quoted YAML scalars by ``yaml.safe_dump``."""
    s = "".join(
        " " if (cat := unicodedata.category(c)) in ("Cc", "Zl", "Zp")
        else "" if cat in ("Cf", "Cs", "Co", "Cn") else c
        for c in str(text)
    )  # fmt: skip
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "\u2026"
