"""warmcall: who am I really connected to, and does my follower count mean anything?

Small, stable API (docs/architecture.md)::

    import warmcall as wc
    a = wc.analyse("params/sample.yaml")  # the whole pipeline: a.scores, a.overview, a.signals
    wb = wc.load("exports/twitter.zip", "exports/linkedin.zip")
    scores = wc.score(wb, "params/sample.yaml")
    table = wc.summarize(scores, by=("platform", "segment"))
    r = wc.rank_correlation(x, y, ci=0.95, seed=0)
"""

from __future__ import annotations

from warmcall.core.imports import defer_iri_grammar

defer_iri_grammar()  # before anything imports jsonschema (warmcall.core.imports)

from warmcall.act.plan import plan_outreach
from warmcall.core.errors import InputError
from warmcall.core.params import Params, load_params
from warmcall.core.resources import package_version
from warmcall.ingest.load import load
from warmcall.ingest.workbook import Workbook
from warmcall.model.pipeline import Analysis, analyse
from warmcall.model.scoring import score
from warmcall.model.stats import rank_correlation
from warmcall.model.summary import summarize

__all__ = [
    "Analysis", "InputError", "Params", "Workbook", "analyse", "load", "load_params", "plan_outreach", "rank_correlation",
    "score", "summarize",
]  # fmt: skip
__version__ = package_version()
