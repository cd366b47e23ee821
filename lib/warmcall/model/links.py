"""Profile links: a URL that opens a contact's profile, built from what the export gives.

``profile_url(platform, contact_id, handle)`` is a polars expression, null where no link can
be built. It works without a name: an X archive names most contacts by numeric id only
(docs/export-formats.md §1.3), and ``https://x.com/i/user/<id>`` opens the profile of a user id.

Rules (first that applies; values that do not look like the platform's handles give null,
so that text from the data never becomes an arbitrary link):

- x: ``https://x.com/<handle>`` when the handle is an X screen name (letters, digits, ``_``;
  a leading ``@`` is dropped), else ``https://x.com/i/user/<contact_id>`` when the id is
  numeric.
- linkedin: the contact id itself when it is a ``linkedin.com/in/…`` profile URL (made
  ``https://``), else ``https://www.linkedin.com/in/<slug>/`` when the id is a profile slug
  (the LinkedIn loader's convention; ``name:…`` ids have no profile).
- instagram: ``https://www.instagram.com/<username>/`` (the handle, else the id; Instagram
  usernames are letters, digits, ``.`` and ``_``, at most 30).
- mastodon: ``https://<host>/@<user>`` from ``user@host`` (the handle, else the id).
- anything else: null.
"""

from __future__ import annotations

import polars as pl

X_HANDLE = r"^@?([A-Za-z0-9_]{1,50})$"
X_ID = r"^[0-9]{1,25}$"
LINKEDIN_URL = (
    r"^(?i:https?://(?:[a-z]{2,3}\.)?linkedin\.com/in/)([^\s\"'<>\\?#/]{1,200})/?(?:[?#]\S*)?$"
)
LINKEDIN_SLUG = r"^[\p{L}\p{N}_-]{1,200}$"
INSTAGRAM_USER = r"^@?([A-Za-z0-9._]{1,30})$"
MASTODON_ACCT = (
    r"^@?([A-Za-z0-9_.-]{1,64})@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+(?::[0-9]{1,5})?)$"
)


def _e(v: str | pl.Expr) -> pl.Expr:
    return (pl.col(v) if isinstance(v, str) else v).cast(pl.String).str.strip_chars()


def profile_url(
    platform: str | pl.Expr, contact_id: str | pl.Expr, handle: str | pl.Expr
) -> pl.Expr:
    """A profile URL per row (module docstring for the rules); arguments are column names
    or expressions. Returns a String expression named ``profile_url``."""
    plat = _e(platform).str.to_lowercase()
    cid, h = _e(contact_id), _e(handle)
    x = pl.coalesce(
        pl.lit("https://x.com/") + h.str.extract(X_HANDLE, 1),
        pl.when(cid.str.contains(X_ID)).then(pl.lit("https://x.com/i/user/") + cid),
    )
    slug = pl.coalesce(
        cid.str.extract(LINKEDIN_URL, 1),
        pl.when(cid.str.contains(LINKEDIN_SLUG)).then(cid),
    )
    linkedin = pl.lit("https://www.linkedin.com/in/") + slug + pl.lit("/")
    ig_user = pl.coalesce(h.str.extract(INSTAGRAM_USER, 1), cid.str.extract(INSTAGRAM_USER, 1))
    instagram = pl.lit("https://www.instagram.com/") + ig_user + pl.lit("/")
    acct = pl.coalesce(
        pl.when(h.str.contains(MASTODON_ACCT)).then(h),
        pl.when(cid.str.contains(MASTODON_ACCT)).then(cid),
    ).str.extract_groups(MASTODON_ACCT)
    host = acct.struct.field("2").str.to_lowercase()
    mastodon = pl.format("https://{}/@{}", host, acct.struct.field("1"))
    return (
        pl.when(plat == "x")
        .then(x)
        .when(plat == "linkedin")
        .then(linkedin)
        .when(plat == "instagram")
        .then(instagram)
        .when(plat == "mastodon")
        .then(mastodon)
        .otherwise(pl.lit(None, pl.String))
        .alias("profile_url")
    )
