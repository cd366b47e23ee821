"""Human-formatted numbers as panel sources write them (docs/mapping.md).

Accepted (surrounding whitespace ignored, case-insensitive suffix):

===============  =================  ===========================================
text             value              rule
===============  =================  ===========================================
``3401``         3401               plain digits, optional sign, optional ``.frac``
``3,401``        3401               comma thousands separators, groups of exactly 3
``1,234,567.5``  1234567.5          separators and a decimal point
``1.2k``         1200               ``k`` = 10^3 (``1.2 K`` with a space too)
``475.8m``       475800000          ``m`` = 10^6
``2b``           2000000000         ``b`` = 10^9
``4.5%``         0.045              ``%`` = 10^-2: a percentage is returned as a
                                    **fraction** (engagement_rate is a fraction)
``2.28E+11``     228000000000       scientific notation, as spreadsheets and pandas
                                    write large numbers: ``e``/``E``, optional sign,
                                    1 to 3 exponent digits (before any suffix)
===============  =================  ===========================================

Missing values give null and are not "unparsable" (``is_missing_number``): one of
``MISSING_TOKENS`` (empty, ``-``, ``—``, ``N/A``, ``#N/A``, ``NA``, ``NaN``, ``none``,
``null``...), case-insensitive, optionally followed by ``%`` (pandas writes a missing
percentage as ``NaN%``).

**Never a wrong number**: anything else gives null rather than a guess, so the caller can
reject the row. That includes ambiguous separators (``1,23``, ``12,34,567``, European
``1.234,5``), repeated points (``1.2.3``), trailing text (``12abc``), spaces inside the
number (``1 234``), non-ASCII digits, and values beyond Float64 (``1e400``, never ``inf``). ``1.234`` is read as one point two three four
(a decimal point), never as a thousands separator.

Floats are exact to the last bit: the decimal text is turned into ``<mantissa>e<exponent>``
and parsed once (correctly rounded), never multiplied in binary floating point. Counts
(``to_count``) are computed on the digit string, so ``1.25k`` is exactly 1250 and
``1.2345k`` (1234.5) is null, not 1234 or 1235; ``2500e-2`` is 25.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

import polars as pl

# What polars' ``str.strip_chars()`` strips (Rust ``char::is_whitespace``); Python's
# ``str.strip()`` also strips U+001C..U+001F, so the twins would disagree on those.
_RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)

MISSING_TOKENS = ("", "-", "--", "–", "—", "n/a", "#n/a", "na", "none", "null", "nan")
_SCALE = {"": 0, "k": 3, "m": 6, "b": 9, "%": -2}
_PATTERN = (
    r"^(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?"
    r"(?:\.(?P<frac>[0-9]+))?(?:[eE](?P<exp>[+-]?[0-9]{1,3}))?\s*(?P<suf>[kKmMbB%]?)$"
)
# Python's ``\s`` also matches U+001C..U+001F: the twin spells out polars' white space
_RE = re.compile(_PATTERN.replace(r"\s*", f"[{re.escape(_RUST_WHITESPACE)}]*").replace("$", r"\Z"))
_INT64_MAX = 2**63 - 1
_INT64_DIGITS = len(str(_INT64_MAX))  # 19


def _missing_key(text: pl.Expr) -> pl.Expr:
    """Trimmed, lower-case text without one trailing ``%`` (``NaN%`` -> ``nan``)."""
    t = text.cast(pl.String).str.strip_chars().str.to_lowercase()
    cut = t.str.ends_with("%") & (t != "%")
    return pl.when(cut).then(t.str.strip_suffix("%").str.strip_chars()).otherwise(t)


def is_missing_number(expr: pl.Expr) -> pl.Expr:
    """True where the text is null or one of ``MISSING_TOKENS`` (case-insensitive, trimmed,
    optionally followed by ``%``): an absent value, not an unparsable one."""
    return expr.is_null() | _missing_key(expr).is_in(MISSING_TOKENS)


def is_missing_number_py(s: object) -> bool:
    """Pure-Python twin of ``is_missing_number`` for one value."""
    if s is None:
        return True
    t = str(s).strip(_RUST_WHITESPACE).lower()
    if t.endswith("%") and t != "%":
        t = t[:-1].strip(_RUST_WHITESPACE)
    return t in MISSING_TOKENS


def _fields(expr: pl.Expr) -> pl.Expr:
    """One regex pass: a struct of sign, int (commas removed, '0' if absent), frac, suf,
    pct (the suffix is ``%``), scale (power of ten: suffix plus exponent) and ok (a number
    was matched). Later steps chain ``struct.with_fields`` so the regex runs once per
    value."""
    g = expr.cast(pl.String).str.strip_chars().str.extract_groups(_PATTERN)
    return g.struct.with_fields(
        ok=pl.field("int").is_not_null() | pl.field("frac").is_not_null(),
        int=pl.coalesce(pl.field("int").str.replace_all(",", "", literal=True), pl.lit("0")),
        pct=pl.field("suf") == "%",
        scale=pl.field("suf")
        .str.to_lowercase()
        .replace_strict(_SCALE, default=None, return_dtype=pl.Int64)
        + pl.coalesce(pl.field("exp").cast(pl.Int64, strict=False), pl.lit(0, pl.Int64)),
    )


def parse_human_number(expr: pl.Expr) -> pl.Expr:
    """Parse human-formatted numeric text (module docstring) to Float64; ``%`` gives a
    fraction (``"4.5%"`` -> 0.045). Missing tokens, anything ambiguous and values beyond
    Float64 give null."""
    text = pl.concat_str(
        pl.field("sign"),
        pl.field("int"),
        pl.lit("."),
        pl.coalesce(pl.field("frac"), pl.lit("0")),
        pl.lit("e"),
        pl.field("scale").cast(pl.String),
    )
    v = (
        _fields(expr)
        .struct.with_fields(_text=pl.when(pl.field("ok")).then(text))
        .struct.field("_text")
        .cast(pl.Float64, strict=False)
    )
    return pl.when(v.is_finite()).then(v).alias(_name(expr))


def to_count(expr: pl.Expr) -> pl.Expr:
    """Parse human-formatted text to an exact Int64 count (``"1.25k"`` -> 1250,
    ``"3,401"`` -> 3401, ``"2.28E+11"`` -> 228000000000). Null when missing, not a number,
    a percentage, not a whole number after scaling (``"1.2345k"``) or outside Int64.
    Negative numbers are returned as such (the validator rejects negative counts with a
    reason).

    Exact on the digit string: the value is ``digits * 10**pad`` with ``digits`` = integer
    and fraction digits (leading zeros and the fraction's trailing zeros dropped) and
    ``pad`` = scale - fraction length; it is whole when ``pad`` >= -(trailing zeros of
    ``digits``), and it has ``len(digits) + pad`` digits (at most 19 for Int64)."""
    f = pl.field
    n, pad = f("_n"), f("_pad")
    text = (
        pl.when(n == 0)
        .then(pl.lit("0"))
        .when(pad >= 0)
        .then(f("_digits").str.pad_end(n + pad.clip(0, _INT64_DIGITS), "0"))
        .otherwise(f("_digits").str.slice(0, (n + pad).clip(0)))
    )
    whole = f("ok") & ~f("pct") & ((n == 0) | ((pad >= -f("_tz")) & (n + pad <= _INT64_DIGITS)))
    return (
        _fields(expr)
        .struct.with_fields(frac=pl.coalesce(f("frac").str.strip_chars_end("0"), pl.lit("")))
        .struct.with_fields(
            _digits=(f("int") + f("frac")).str.strip_chars_start("0"),
            _pad=f("scale") - f("frac").str.len_chars().cast(pl.Int64),
        )
        .struct.with_fields(_n=f("_digits").str.len_chars().cast(pl.Int64))
        .struct.with_fields(
            _tz=f("_n") - f("_digits").str.strip_chars_end("0").str.len_chars().cast(pl.Int64)
        )
        .struct.with_fields(_whole=pl.when(whole).then(f("sign") + text))
        .struct.field("_whole")
        .cast(pl.Int64, strict=False)
        .alias(_name(expr))
    )


def _name(expr: pl.Expr) -> str:
    try:
        return expr.meta.output_name()
    except Exception:  # an expression without a single root name
        return "literal"


def _match(s: object) -> tuple[Decimal, str] | None:
    if s is None:
        return None
    if isinstance(s, bool):
        return None
    if isinstance(s, int | float):
        s = repr(s)
    m = _RE.match(str(s).strip(_RUST_WHITESPACE))
    if not m or (m["int"] is None and m["frac"] is None):
        return None
    try:
        d = Decimal(f"{m['sign']}{(m['int'] or '0').replace(',', '')}.{m['frac'] or '0'}")
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return None
    suf = m["suf"].lower()
    return d.scaleb(_SCALE[suf] + int(m["exp"] or 0)), suf


def parse_human_number_py(s: object) -> float | None:
    """Pure-Python twin of ``parse_human_number`` for one value (same rules, same results)."""
    r = _match(s)
    if r is None:
        return None
    v = float(r[0])
    return v if math.isfinite(v) else None


def to_count_py(s: object) -> int | None:
    """Pure-Python twin of ``to_count`` for one value (same rules, same results)."""
    r = _match(s)
    if r is None or r[1] == "%":
        return None
    d = r[0]
    if d != d.to_integral_value() or abs(d) > _INT64_MAX:
        return None
    return int(d)
