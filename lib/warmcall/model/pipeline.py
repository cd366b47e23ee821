"""The one pipeline: load → select → score → summarise, for one params set.

``analyse(params)`` is what the CLI (``report``, ``plan``), every notebook, the what-if page
and the benchmark call; nothing else chains these steps. Steps, in order:

1. load ``params.data`` (paths or ``{path, mapping}`` entries; ``warmcall.ingest.load.load``),
   unless a loaded ``workbook`` is given;
2. keep ``params.accounts`` / ``params.platforms`` (``scoring.select``);
3. the as-of date (``params.as_of``, else the last day with data: ``scoring.resolve_as_of``);
4. features with persons assigned (``scoring.prepared_features``), then quality, stage,
   layer, segment and flags (``scoring.score_features``); for a workbook from the table
   cache, kept and reused while its tables and the params are the same
   (``warmcall.model.memo``: the notebooks of one report set score once), with step 6's
   signals; within one process (a report set's shared kernel, a live session) the last
   analysis of a cached workbook is kept as it is and returned again (a shallow copy: its
   frames are shared, they are immutable) for the same memo key;
5. with ``redact: true``, keyed pseudonyms (``warmcall.model.redact``) before anything is shown;
6. what each export can show (``observability.account_signals``) and the per-account
   overview (``summary.account_overview``), both kept by the memo of step 4.
"""

from __future__ import annotations

import copy
from dataclasses import InitVar, dataclass, field
from datetime import date

import polars as pl

from warmcall.core.params import Params, as_params
from warmcall.ingest.load import load
from warmcall.ingest.workbook import Workbook
from warmcall.model import memo
from warmcall.model.observability import account_signals
from warmcall.model.redact import key_for, redact_contacts
from warmcall.model.scoring import prepared_features, resolve_as_of, score_features, select
from warmcall.model.summary import account_overview


@dataclass
class Analysis:
    """One params set, analysed: the params used, the (selected) workbook, the as-of date,
    the scores, the features they came from, the identity evidence, the signals each
    account's exports carry and the per-account overview."""

    params: Params
    workbook: Workbook
    as_of: date
    scores: pl.DataFrame
    features: pl.DataFrame | None = None
    identity_evidence: pl.DataFrame | None = None
    #: ``account_signals`` of the workbook when already known (kept by ``memo``)
    known_signals: InitVar[pl.DataFrame | None] = None
    #: ``account_overview`` of these scores when already known (kept by ``memo``)
    known_overview: InitVar[pl.DataFrame | None] = None
    overview: pl.DataFrame = field(init=False)
    signals: pl.DataFrame = field(init=False)

    def __post_init__(
        self, known_signals: pl.DataFrame | None, known_overview: pl.DataFrame | None
    ) -> None:
        self.signals = (
            known_signals if known_signals is not None else account_signals(self.workbook)
        )
        self.overview = (
            known_overview
            if known_overview is not None
            else overview_of(self.workbook, self.scores, self.as_of, self.params, self.signals)
        )


def overview_of(
    wb: Workbook, scores: pl.DataFrame, as_of: date, p: Params, signals: pl.DataFrame
) -> pl.DataFrame:
    """``summary.account_overview`` of ``scores`` over ``p.window_days`` ending ``as_of``."""
    return account_overview(wb.accounts, wb.posts, scores, as_of, p.window_days, signals)


#: the last analysis of a cached workbook in this process, by its memo key (step 4)
_last: tuple[str, Analysis] | None = None


def forget() -> None:
    """Drop the analysis this process keeps (step 4): the next ``analyse`` reads the memo or
    scores, as a new process would; frees its memory."""
    global _last
    _last = None


def analyse(params: Params | dict | str, workbook: Workbook | None = None) -> Analysis:
    """Run the pipeline (module docstring) for ``params`` (a Params, the dict the batch
    runner passes, or a YAML path); ``workbook``: an already loaded workbook instead of
    ``params.data``."""
    p = as_params(params)
    wb = workbook if workbook is not None else load(*p.data, mapping=p.mapping, encoding=p.encoding)
    table_key = getattr(wb, "cache_key", None)
    wb = select(wb, p)
    as_of = resolve_as_of(wb, p)
    k = memo.key(table_key, p, as_of) if table_key else None
    global _last
    if k and _last is not None and _last[0] == k:
        return copy.copy(_last[1])
    kept = memo.read(k) if k else None
    if kept is not None:  # the same tables and params, scored before (``warmcall.model.memo``)
        feats, evidence, scores = kept["features"], kept["evidence"], kept["scores"]
        signals, overview = kept["signals"], kept["overview"]
    else:
        feats, evidence = prepared_features(wb, p, as_of)
        scores = score_features(feats.lazy(), p, as_of).collect()
        signals = account_signals(wb)
        overview = overview_of(wb, scores, as_of, p, signals)
        if k:
            memo.write_soon(k, table_key, {"features": feats, "evidence": evidence,
                                           "scores": scores, "signals": signals,
                                           "overview": overview})  # fmt: skip
    if p.redact:
        scores = redact_contacts(scores, key_for(p))
        evidence = evidence.with_columns(
            evidence=pl.lit("(redacted)"), person_id=pl.lit("(redacted)")
        )
        overview = None  # of the pseudonymized scores (Analysis)
    analysis = Analysis(p, wb, as_of, scores, feats, evidence, signals, overview)
    if k:
        _last = (k, analysis)
    return copy.copy(analysis)
