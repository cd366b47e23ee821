"""What every loader returns: candidate frames plus per-file accounting.

A loader module has ``FORMAT`` (a short name), ``detect(source) -> bool`` (by content)
and ``load(source, **options) -> LoadResult``. It adds candidate rows with ``_file`` and
``_line`` (line or record number) and registers every file it reads with ``rows_read``;
records it cannot use are rejected with a reason (``FileReport.reject``); records that are
valid but cannot be attributed to a contact (an X like names the post, not its author) are
*set aside* with a reason (``FileReport.set_aside``): rows read = loaded + set aside +
rejected. Each loader also declares, per account, the *signals* its export carries
(``FileReport.carries``, vocabulary ``SIGNALS``), from the files it actually found.
Validation and the final accounting happen once, in ``warmcall.ingest.accounting``.

A file of an export that cannot be read at all (no header, undecodable, invalid JSON) stops
nothing else: the loader registers it with ``LoadResult.unreadable`` (read 0, a note with
the reason) and loads the rest; ``LoadResult.check_yield`` then raises one ``InputError``
naming the export when such failures left nothing at all to load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.schema import SIGNALS

#: Bookkeeping column: True on candidate rows whose file names no account; they get the one
#: account of their platform in the load, else a placeholder account when the platform has
#: none (``warmcall.ingest.resolve.resolve_accounts``). Frames that carry the column describe the
#: own account (analytics files): the account they name gets an accounts row if it has none.
NEEDS_ACCOUNT = "_needs_account"


#: The set-aside activity of the exports' own lists of accounts you unfollowed (Instagram's
#: ``recently_unfollowed_accounts.json``, Threads' ``recently_unfollowed_profiles.json``);
#: reports read them through ``accounting.LoadReport.listed_frame``.
UNFOLLOWED_ACTIVITY = "accounts you unfollowed"


@dataclass
class FileReport:
    """Accounting for one input file: ``rows_read`` records, some rejected with reasons."""

    path: str
    format: str
    rows_read: int = 0
    rejects: list[tuple[int | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: set-aside counts by (reason, activity, account_id); see ``set_aside``
    set_asides: dict[tuple[str, str | None, str | None], int] = field(default_factory=dict)
    #: signals this file shows: (account_id or None for "the one account of the platform",
    #: platform, signal)
    signals: list[tuple[str | None, str, str]] = field(default_factory=list)
    #: why the whole file could not be read (see ``LoadResult.unreadable``), else None
    unread: str | None = None
    #: people named by set-aside records that reports list (``list_aside``)
    listed: list[dict] = field(default_factory=list)

    def reject(self, line: int | None, reason: str) -> None:
        self.rejects.append((line, reason))

    def set_aside(
        self, n: int, reason: str, activity: str | None = None, account_id: str | None = None
    ) -> None:
        """Count ``n`` valid records that are not loaded because they cannot be attributed
        (e.g. likes whose author is not in the export). ``activity`` names what they are in
        the owner's activity ("likes given"), shown beside the owner's figures."""
        if n > 0:
            key = (reason, activity, account_id)
            self.set_asides[key] = self.set_asides.get(key, 0) + n

    def list_aside(
        self,
        activity: str,
        account_id: str | None,
        platform: str,
        contact_id: str,
        ts_us: int | None,
    ) -> None:
        """Name one person of a set-aside record that reports list (e.g. an account you
        unfollowed, from the export's own list): ``ts_us`` in microseconds since the epoch
        (UTC), None when unknown. The record is still counted by ``set_aside``."""
        self.listed.append({"activity": activity, "account_id": account_id, "platform": platform,
                            "contact_id": contact_id, "ts_us": ts_us})  # fmt: skip

    @property
    def rows_set_aside(self) -> int:
        return sum(self.set_asides.values())

    def carries(self, platform: str, *signals: str, account_id: str | None = None) -> None:
        """Declare that this file shows ``signals`` for ``account_id`` (None: the one
        account of ``platform`` in the load, resolved like rows that name no account)."""
        for sig in signals:
            if sig not in SIGNALS:
                raise ValueError(f"unknown signal {sig!r} (one of {', '.join(SIGNALS)})")
            t = (account_id, platform, sig)
            if t not in self.signals:
                self.signals.append(t)


@dataclass
class LoadResult:
    """Candidate frames by table (several per table allowed) and the file reports."""

    tables: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)

    def add(self, table: str, frame: pl.DataFrame | list[dict]) -> None:
        """Add candidate rows (a frame, or a list of row dicts) to ``table``."""
        if isinstance(frame, list):
            if not frame:
                return
            frame = pl.DataFrame(frame, infer_schema_length=None)
        if frame.height:
            self.tables.setdefault(table, []).append(frame)

    def file(self, path: str, format: str, rows_read: int = 0) -> FileReport:
        rep = FileReport(path, format, rows_read)
        self.files.append(rep)
        return rep

    def unreadable(self, path: str, format: str, problem: str) -> FileReport:
        """Register a file that cannot be read at all: read 0 records, and a note naming it
        and the reason. The rest of the export still loads."""
        rep = self.file(path, format, 0)
        rep.unread = problem
        name = PurePosixPath(path.split("!")[-1]).name
        rep.notes.append(f"{name} not read: {problem}")
        return rep

    def check_yield(self, export: object, what: str) -> None:
        """Raise ``InputError`` naming ``export`` when some of its files could not be read
        and nothing else gave a row to load (no candidate connections, interactions or
        posts, nothing set aside): one clear line instead of an empty load."""
        unread = [f for f in self.files if f.unread]
        if not unread:
            return
        rows = any(
            fr.height for t in ("connections", "interactions", "posts")
            for fr in self.tables.get(t, [])
        )  # fmt: skip
        if rows or any(f.rows_set_aside for f in self.files):
            return
        first = unread[0]
        more = f" (and {len(unread) - 1} more unreadable file(s))" if len(unread) > 1 else ""
        name = PurePosixPath(first.path.split("!")[-1]).name
        raise InputError(
            export, f"nothing could be loaded from this {what}: {name}: {first.unread}{more}"
        )

    def extend(self, other: LoadResult) -> None:
        for t, frames in other.tables.items():
            self.tables.setdefault(t, []).extend(frames)
        self.files.extend(other.files)
