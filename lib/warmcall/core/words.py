"""Numbers in sentences: one helper so that counts and words agree everywhere.

Every sentence the reports write goes through these: ``count(1, "person")`` → "1 person",
``count(2, "person")`` → "2 people", ``count(0, "follower")`` → "0 followers";
``verb(1, "is")`` → "is", ``verb(2, "is")`` → "are". Counts are whole numbers with thousands
separators; a missing count (None) is ``NOT_IN_EXPORT``.
"""

from __future__ import annotations

#: What a figure says when the user's export cannot support it (never 0).
NOT_IN_EXPORT = "not in this export"

_IRREGULAR = {
    "person": "people",
    "reply": "replies",
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "this": "these",
    "that": "those",
    "it": "they",
    "its": "their",
}


def plural_of(word: str) -> str:
    """The plural of ``word``: the irregular ones above, -y after a consonant → -ies,
    -s/-x/-ch/-sh → -es, else -s (English rules for the nouns warmcall uses)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def noun(n: int | float, singular: str, plural: str | None = None) -> str:
    """``singular`` when n is exactly 1 (or −1), else its plural (``plural`` if given)."""
    return singular if abs(n) == 1 else (plural or plural_of(singular))


def verb(n: int | float, singular: str, plural: str | None = None) -> str:
    """The verb form agreeing with a subject of n things: ``verb(1, "is")`` → "is"."""
    return noun(n, singular, plural)


def count(n: int | float | None, singular: str, plural: str | None = None) -> str:
    """``n`` formatted as a whole number with thousands separators, then the noun in the
    agreeing number: ``count(1, "person")`` → "1 person", ``count(1234, "follower")`` →
    "1,234 followers"; ``None`` → ``NOT_IN_EXPORT``. Fractions are refused: counts of people
    are whole numbers."""
    if n is None:
        return NOT_IN_EXPORT
    if isinstance(n, float):
        if not n.is_integer():
            raise ValueError(f"a count must be a whole number, got {n!r}")
        n = int(n)
    return f"{n:,} {noun(n, singular, plural)}"
