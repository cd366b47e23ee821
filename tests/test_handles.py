"""One handle normaliser: every form of one handle gives one key, in polars and in Python."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core.handles import (
    display_handle,
    display_handle_py,
    handle_key,
    handle_key_py,
    handle_keys,
)

NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,14}", fullmatch=True)


def _forms(name: str) -> list[str]:
    """Ways exports and users write the same handle."""
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    return [
        name, f"@{name}", f"  @{name} ", name.upper(), f"\u200b{name}", f"＠{full_width}",
        f"https://x.com/{name}", f"http://twitter.com/{name}/", f"https://mobile.twitter.com/{name}?s=20",
        f"https://www.instagram.com/{name}/", f"instagram.com/{name}", f"https://www.threads.net/@{name}",
        f"https://www.tiktok.com/@{name}", f"https://www.linkedin.com/in/{name}/?trk=x",
    ]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(NAME)
def test_every_form_of_one_handle_has_one_key(name: str) -> None:
    forms = _forms(name)
    keys = pl.DataFrame({"h": forms}).select(handle_key("h"))["h"].to_list()
    assert set(keys) == {name.lower()}
    assert {handle_key_py(f) for f in forms} == {name.lower()}


@settings(max_examples=40, deadline=None)
@given(NAME, st.sampled_from(["mastodon.social", "fediscience.example", "Det.Social"]))
def test_mastodon_forms(user: str, host: str) -> None:
    forms = [
        f"{user}@{host}",
        f"@{user}@{host}",
        f"https://{host}/@{user}",
        f"https://{host}/@{user}/",
    ]
    want = f"{user}@{host}".lower()
    assert set(pl.DataFrame({"h": forms}).select(handle_key("h"))["h"]) == {want}
    assert {handle_key_py(f) for f in forms} == {want}


def test_display_keeps_case_and_empty_is_null() -> None:
    df = pl.DataFrame({"h": ["@BobSmith", "  ", "@", None, "https://x.com/BobSmith"]})
    assert df.select(display_handle("h"))["h"].to_list() == [
        "BobSmith",
        None,
        None,
        None,
        "BobSmith",
    ]
    assert [display_handle_py(v) for v in df["h"]] == ["BobSmith", None, None, None, "BobSmith"]


ANY = st.one_of(
    st.none(),
    NAME,
    NAME.map(lambda n: f"@{n}"),
    st.text(alphabet=st.sampled_from("aB1_.-@/:＠\u200b é"), max_size=12),
    NAME.flatmap(lambda n: st.sampled_from(_forms(n))),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ANY, max_size=30))
def test_handle_keys_fast_path_equals_the_rule(values: list[str | None]) -> None:
    s = pl.Series("h", values, dtype=pl.String)
    assert handle_keys(s).to_list() == s.to_frame().select(handle_key("h"))["h"].to_list()
