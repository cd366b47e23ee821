"""Profile links built from contact ids and handles (warmcall.model.links.profile_url)."""

from __future__ import annotations

import polars as pl
from warmcall.model.links import profile_url

CASES = [  # platform, contact_id, handle, expected link
    ("x", "123456", "Bob_1", "https://x.com/Bob_1"),
    ("x", "123456", "@bob", "https://x.com/bob"),
    ("x", "123456", None, "https://x.com/i/user/123456"),  # works without a name
    ("x", "123456", "javascript:alert(1)", "https://x.com/i/user/123456"),  # not a handle
    ("x", "name:bob", None, None),
    ("linkedin", "https://www.linkedin.com/in/ann-lee/?trk=x", None,
     "https://www.linkedin.com/in/ann-lee/"),
    ("linkedin", "HTTP://linkedin.com/in/ann-lee", None, "https://www.linkedin.com/in/ann-lee/"),
    ("linkedin", "jörg-müller-1a2b", "jörg-müller-1a2b", "https://www.linkedin.com/in/jörg-müller-1a2b/"),
    ("linkedin", "name:ann lee", None, None),
    ("linkedin", "https://evil.example/in/ann", None, None),
    ("instagram", "bob.smith_", None, "https://www.instagram.com/bob.smith_/"),
    ("instagram", "name:Bob Smith", None, None),
    ("mastodon", "bob@mastodon.social", "Bob@Mastodon.Social", "https://mastodon.social/@Bob"),
    ("mastodon", "bob@host.example", None, "https://host.example/@bob"),
    ("mastodon", "bob", None, None),
    ("mastodon", 'a"b@host.example', None, None),
    ("facebook", "name:Ann", None, None),
    ("other", "123", "bob", None),
]  # fmt: skip


def test_profile_url_rules() -> None:
    df = pl.DataFrame(
        [c[:3] for c in CASES], schema=["platform", "contact_id", "handle"], orient="row"
    )
    got = df.select(profile_url("platform", "contact_id", "handle"))["profile_url"].to_list()
    assert got == [c[3] for c in CASES]


def test_profile_url_takes_expressions() -> None:
    df = pl.DataFrame({"p": ["X"], "c": [" 42 "]})
    got = df.select(profile_url(pl.col("p"), pl.col("c"), pl.lit(None, pl.String)))
    assert got.columns == ["profile_url"] and got.item() == "https://x.com/i/user/42"
