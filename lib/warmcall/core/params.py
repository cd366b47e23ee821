"""One typed, validated parameter set, loaded from YAML (``params/*.yaml``).

Notebooks, the CLI, the report runner and the widgets all read a ``Params``. Every default
lives here, documented. YAML is loaded with ``yaml.safe_load``; an unknown key or a wrong
type raises ``ParamsError`` (an ``InputError``) naming the key and the file. Relative paths (``data``, the
``mapping`` of a ``data`` entry, ``mapping``, ``identities``, ``people``, ``redact_key_file``) are
resolved against the folder of the params file. A ``data`` item is a path or
``{path: ..., mapping: ...}`` with its own mapping (a YAML path or an inline mapping;
``warmcall.core.inputs``).

Dates (``as_of``, ``outreach.start``) must lie in ``DATE_MIN`` .. ``DATE_MAX``
(2000-01-01 .. 2100-12-31): the range warmcall computes calendars and windows in; a date
outside it is refused with one line naming the key. Command-line flags that set a param
(``warmcall plan --days --per-day --start``) go through the same validation
(``override``), so a flag can never bypass a bound a params file must respect.

Redaction (``redact: true``): pseudonyms are keyed (HMAC-SHA-256, ``warmcall.model.redact``) with a
secret key kept outside every report, in ``redact_key_file`` (default
``$XDG_CONFIG_HOME/warmcall/redact.key``, else ``~/.config/warmcall/redact.key``; created on
first use, readable by its owner only). Keep that file to keep pseudonyms stable across runs;
delete it to make new, unlinkable ones.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warmcall.core.errors import InputError, ParamsError, is_plain_name, shown_name
from warmcall.core.inputs import TAGS, DataEntry, InputSpec
from warmcall.core.schema import KINDS, PLATFORMS

#: The range of dates warmcall accepts for ``as_of`` and ``outreach.start`` (module docstring).
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
BoundedDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Segment(_Strict):
    """A named audience segment: a contact belongs to the first segment one of whose
    keywords occurs (case-insensitive, as a whole word) in one of ``fields``, optionally only
    on some platforms. Contacts matching no segment are ``unsegmented``."""

    name: str
    keywords: list[str] = Field(default_factory=list)
    # a list default is copied for each instance (pydantic)
    fields: list[Literal["bio", "company", "position", "handle", "display_name", "location"]] = [
        "bio", "company", "position", "handle",
    ]  # fmt: skip
    platforms: list[str] | None = None


class Weights(_Strict):
    """Weights of the six tie-strength dimensions (Gilbert & Karahalios 2009). They are
    normalised to sum to 1, so only their ratios matter."""

    intensity: float = Field(0.25, ge=0)
    reciprocity: float = Field(0.20, ge=0)
    recency: float = Field(0.25, ge=0)
    duration: float = Field(0.10, ge=0)
    intimacy: float = Field(0.15, ge=0)
    multiplexity: float = Field(0.05, ge=0)


DEFAULT_KIND_WEIGHTS: dict[str, float] = {
    "like": 0.5, "reaction": 0.5, "share": 1.0, "mention": 1.0, "comment": 2.0, "reply": 2.0,
    "endorsement": 1.0, "invitation": 0.5, "dm": 3.0, "email": 3.0, "call": 5.0,
    "meeting": 6.0, "event": 4.0, "other": 0.5,
}  # fmt: skip


class Quality(_Strict):
    """Relationship-quality model parameters (see ``warmcall.model.quality``)."""

    weights: Weights = Field(default_factory=Weights)
    kind_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    half_life_days: float = Field(60.0, gt=0)  # recency halves every 60 days
    intensity_scale: float = Field(
        12.0, gt=0
    )  # weighted interactions in a year giving 63% intensity
    duration_full_days: float = Field(730.0, gt=0)  # two years of acquaintance = full duration
    multiplexity_full: int = Field(4, ge=2)  # this many channels (kinds x platforms) = full

    @field_validator("kind_weights")
    @classmethod
    def _known_kinds(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [i for i, k in enumerate(v) if k not in KINDS]
        if bad:
            keys = list(v)
            shown = ", ".join(shown_name(keys[i], f"<key {i + 1}>") for i in bad)
            raise ValueError(f"unknown kind(s) {shown}; kinds are {', '.join(KINDS)}")
        return {**DEFAULT_KIND_WEIGHTS, **v}


class Hygiene(_Strict):
    """Spam / mass-following rules; a contact is flagged when any rule fires."""

    max_following: int = Field(1500, ge=0)  # following more than this = mass-following
    max_following_ratio: float = Field(20.0, gt=0)  # following / followers above this
    min_following_for_ratio: int = Field(200, ge=0)  # ratio rule only above this many following
    flag_empty_bio: bool = True
    default_handle_pattern: str = r"^[a-z]+[_.]?[a-z]*\d{5,}$"  # e.g. john84920431
    spam_keywords: list[str] = Field(
        default_factory=lambda: [
            "giveaway", "crypto signals", "pump", "forex", "dm for promo", "onlyfans", "18+",
            "mlm", "passive income", "click the link", "free followers", "airdrop",
        ]
    )  # fmt: skip


class Influence(_Strict):
    """ "Tiny but influential": warm contacts with large reach or high relevance."""

    min_stage: Literal["aware", "engaged", "conversant", "trusted"] = "engaged"
    reach_quantile: float = Field(0.9, gt=0, lt=1)  # large reach: ≥ this quantile on the platform
    min_relevance: float = Field(3.0, ge=0)  # or at least this relevance
    max_listed: int = Field(25, ge=1)


#: the relationship stages (``warmcall.model.quality.STAGES``, coldest first)
StageName = Literal["connection", "reached", "aware", "engaged", "conversant", "trusted"]


#: keep-in-touch cadence by stage (``Outreach.cadence_days``): days of silence before overdue
DEFAULT_CADENCE_DAYS: dict[StageName, int] = {"trusted": 30, "conversant": 60}


class Outreach(_Strict):
    """Outreach planner settings (``warmcall.act.plan``)."""

    per_day: int = Field(2, ge=1, le=50)
    days: int = Field(5, ge=1, le=60)
    start: BoundedDate | None = None  # first day; default: the working day after as_of
    start_time: str = "09:30"
    timezone: str = "UTC"
    slot_minutes: int = Field(20, ge=5, le=240)
    cooldown_days: int = Field(14, ge=0)  # nobody contacted (outbound) in the last 14 days
    fading_after_days: int = Field(21, ge=1)  # a tie silent this long is fading ...
    # ... if its quality is at least this (0–100): 15 ≈ a reply or DM both ways within the
    # last months, or a long mutual connection with some contact; below it, a tie is too thin
    # to be "fading" (docs/params.md)
    min_quality: float = Field(15.0, ge=0, le=100)
    large_followers: int = Field(1000, ge=0)  # this many followers alone makes a weak tie promising
    referral_uplift: float = Field(10.0, gt=0)  # trusted recommendation vs cold, x
    # keep-in-touch cadence per stage (warmcall.model.cadence): a person silent (either
    # direction) longer than this many days is overdue; people.csv can set it per person
    cadence_days: dict[StageName, Annotated[int, Field(ge=1, le=3650)]] = Field(
        default_factory=lambda: dict(DEFAULT_CADENCE_DAYS)
    )


class Lists(_Strict):
    """The audit's lists of people (``warmcall.model.lists``; docs/metrics.md "Lists")."""

    ghost_days: int = Field(365, ge=1, le=3650)  # silent both ways, not posting: a ghost
    top_engagers: int = Field(25, ge=1, le=10_000)  # top engagers listed per account
    # people per list written as vCards (data/<list>.vcf), in the list's order: an address book
    # has no use for 100,000 ghosts, and each card costs ~0.2 ms (the CSV always has everyone)
    vcard_max: int = Field(1000, ge=0, le=1_000_000)


class Report(_Strict):
    """Limits of the batch runner (``warmcall report``, ``warmcall.run.report``). Every wait of a
    notebook run is bounded by these; going over one is a failure page, never an OK."""

    # One cell may run this long (papermill's execution timeout); it also bounds the wait for
    # the kernel's reply after the last cell. The watchdog ends a worker that shows no
    # progress (no cell starting or finishing) for timeout_s + warmcall.run.report.WATCHDOG_GRACE_S.
    timeout_s: int = Field(600, ge=1)
    # the best-time heatmap (warmcall.model.timing) names a weekday-hour only when it holds at
    # least this many posts; with fewer everywhere, it says it cannot conclude (docs/metrics.md)
    min_posts_per_cell: int = Field(5, ge=1)


class Params(_Strict):
    """A report set: what to load, the as-of date and window, segments and model settings."""

    title: str = "warmcall report"
    # a path, or {path, mapping} with the input's own mapping (warmcall.core.inputs)
    data: list[InputSpec] = Field(default_factory=list)
    mapping: Path | None = None  # for inputs not recognised as a known export (ingest.load)
    encoding: str | None = None
    identities: Path | None = None  # identities.csv (person, platform, handle): authoritative
    people: Path | None = (
        None  # people.csv (handle, platform, cadence_days, tag): warmcall.ingest.people
    )
    identity_auto: bool = (
        True  # conservative automatic cross-platform matching (warmcall.model.identity)
    )
    as_of: BoundedDate | None = None  # default: the last day with any interaction in the data
    window_days: int = Field(90, ge=1, le=3650)
    accounts: list[str] | None = None  # account_ids to keep; None = all
    platforms: list[str] | None = None
    segments: list[Segment] = Field(default_factory=list)
    relevance: dict[str, float] = Field(default_factory=dict)  # keyword -> weight
    redact: bool = False
    #: secret key of the redaction pseudonyms (module docstring); None: the default path
    redact_key_file: Path | None = None
    quality: Quality = Field(default_factory=Quality)
    hygiene: Hygiene = Field(default_factory=Hygiene)
    influence: Influence = Field(default_factory=Influence)
    outreach: Outreach = Field(default_factory=Outreach)
    lists: Lists = Field(default_factory=Lists)
    notebooks: list[str] | None = None  # which notebooks the batch report runs; None = all
    report: Report = Field(default_factory=Report)

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and (bad := [i for i, p in enumerate(v) if p not in PLATFORMS]):
            shown = ", ".join(shown_name(v[i], f"item {i + 1}") for i in bad)
            raise ValueError(f"unknown platform(s) {shown}; platforms are {', '.join(PLATFORMS)}")
        return v

    def to_papermill(self) -> dict[str, Any]:
        """JSON-safe dict (dates as ISO strings, paths as strings) for papermill."""
        return self.model_dump(mode="json")


def key_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """The dotted key path of a validation error's ``loc`` in ``raw`` (the YAML data); a key
    that is not a plain name (``errors.is_plain_name``) is shown by its position
    (``<key 2>``: the 2nd key of its mapping), never quoted (module ``errors``)."""
    parts, node = [], raw
    for part in loc:
        if isinstance(part, str) and not is_plain_name(part):
            keys = list(node) if isinstance(node, dict) else []
            parts.append(f"<key {keys.index(part) + 1}>" if part in keys else "<key>")
        else:
            parts.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(top level)"


def _one_line(e: ValidationError, where: str, raw: Any = None) -> ParamsError:
    err = e.errors()[0]
    key = key_path(raw, tuple(p for p in err["loc"] if p not in TAGS))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key"
    return ParamsError(where, f"{key}: {msg}")


def override(
    p: Params, values: dict[str, Any], names: dict[str, str] | None = None, where: str = ""
) -> Params:
    """``p`` with the dotted keys of ``values`` set (``{"outreach.days": "7"}``; a None value
    is left alone), validated exactly like a params file: same types, same bounds. An invalid
    value raises ``ParamsError`` naming it as ``names[key]`` (a command-line flag such as
    ``--days``) or the key, in ``where``."""
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        return p
    raw = p.model_dump()
    for dotted, v in given.items():
        node = raw
        *path, last = dotted.split(".")
        for k in path:
            node = node[k]
        node[last] = v
    try:
        return Params.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        name = (names or {}).get(key, key)
        raise ParamsError(where or name, f"{name}: {err['msg']}" if where else err["msg"]) from None


def parse_params(raw: dict[str, Any], base: Path | None = None, where: str = "params") -> Params:
    """Validate a plain dict into ``Params``; resolve relative paths against ``base``."""
    if not isinstance(raw, dict):
        raise ParamsError(where, "top level must be a mapping of keys to values")
    try:
        p = Params.model_validate(raw)
    except ValidationError as e:
        raise _one_line(e, where, raw) from None
    if base is not None:
        p.data = [_resolve_entry(d, base) for d in p.data]
        for attr in ("mapping", "identities", "people", "redact_key_file"):
            v = getattr(p, attr)
            if v is not None and not v.is_absolute():
                setattr(p, attr, (base / v).resolve())
    return p


def _resolve_entry(d: Path | DataEntry, base: Path) -> Path | DataEntry:
    def absolute(x: Path) -> Path:
        return x if x.is_absolute() else (base / x).resolve()

    if isinstance(d, Path):
        return absolute(d)
    mapping = absolute(d.mapping) if isinstance(d.mapping, Path) else d.mapping
    return DataEntry(path=absolute(d.path), mapping=mapping)


_TAG = re.compile(r"constructor for the tag '(?:tag:yaml\.org,2002:)?([^']*)'")


def yaml_problem(e: Exception) -> str:
    """One line describing why ``yaml.safe_load`` refused a document: the line number and
    the parser's problem; a tag it has no constructor for (``!!python/object``, any custom
    ``!tag``) is named as refused, since only plain YAML is ever constructed. Fragments of
    the file the parser quotes (an alias name) are not repeated, only token names and single
    characters (``errors``: messages never quote file content)."""
    mark = getattr(e, "problem_mark", None)
    at = f" at line {mark.line + 1}" if mark else ""
    problem = str(getattr(e, "problem", None) or e)
    tag = _TAG.search(problem)
    if tag:
        name = tag.group(1)
        name = name if name.startswith("!") else f"!!{name}"
        if len(name) > 80 or any(c.isspace() for c in name):
            return f"a YAML tag{at} is not allowed (only plain YAML is read)"
        return f"YAML tag '{name}'{at} is not allowed (only plain YAML is read)"
    return f"not valid YAML{at}: {' '.join(_QUOTED.sub(_token_only, problem).split())}"


# A quoted fragment of a YAML parser message: a token name ('<block end>') or one character
# is kept; anything longer (an alias or anchor name) is the file's content and is dropped.
_QUOTED = re.compile(r"'([^']*)'")


def _token_only(m: re.Match[str]) -> str:
    v = m.group(1)
    return m.group(0) if len(v) <= 2 or re.fullmatch(r"<[a-z ]+>", v) else "(not shown)"


def read_yaml(path: Path, what: str) -> Any:
    """``yaml.safe_load`` of a UTF-8 file (BOM allowed); every problem is an ``InputError``
    naming ``path``: unreadable, not UTF-8, invalid YAML, a refused tag (``yaml_problem``),
    or a value the loader cannot construct (``2026-13-45`` as a date)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(path, f"cannot read {what} ({e.strerror or type(e).__name__})") from None
    except UnicodeDecodeError:
        raise InputError(path, f"{what} is not UTF-8 text") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise InputError(path, yaml_problem(e)) from None
    except (ValueError, TypeError, OverflowError) as e:  # e.g. a date like 2026-13-45
        raise InputError(path, f"not valid YAML: {e}") from None


def load_params(path: str | os.PathLike[str]) -> Params:
    """Read and validate a params YAML file (safe loader, strict keys and types); every
    problem, from reading the file to a value out of bounds, is a ``ParamsError`` naming it."""
    path = Path(path)
    try:
        raw = read_yaml(path, "params file") or {}
    except InputError as e:
        raise ParamsError(e.path, e.problem) from None
    return parse_params(raw, base=path.resolve().parent, where=str(path))


def as_params(params: Params | dict | str | os.PathLike[str] | None) -> Params:
    """Accept a Params, a dict, a YAML path or None (all defaults)."""
    if params is None:
        return Params()
    if isinstance(params, Params):
        return params
    if isinstance(params, dict):
        return parse_params(params)
    return load_params(params)
