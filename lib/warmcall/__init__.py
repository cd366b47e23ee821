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

from .errors import InputError
from .params import Params, load_params
from .pipeline import Analysis, analyse
from .plan import plan_outreach
from .scoring import score
from .stats import rank_correlation
from .summary import summarize
from .workbook import Workbook, load

__all__ = [
    "Analysis", "InputError", "Params", "Workbook", "analyse", "load", "load_params", "plan_outreach", "rank_correlation",
    "score", "summarize",
]  # fmt: skip
__version__ = "0.1.0"
