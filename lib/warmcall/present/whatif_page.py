"""The what-if page in a notebook: live (the widget panel) or batch (a static snapshot), and
the rule that chooses (docs/notebook-stack.md §3.1-§3.2). ipywidgets is imported only when
the kernel is live, so a batch kernel never opens a widget comm.
"""

from __future__ import annotations

import os
from typing import Any

from warmcall.core.resources import BATCH_ENV
from warmcall.present.whatif_view import WhatIfModel, render_html, whatif_chart

#: set to "1" to get widgets in a front end that is not a Jupyter server (e.g. an IDE)
LIVE_ENV = "WARMCALL_LIVE"
#: what jupyter_server puts in the environment of a kernel it starts for an open notebook
SESSION_ENV = "JPY_SESSION_NAME"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip() not in ("", "0")


def is_live(output_dir: str | os.PathLike[str] | None = None) -> bool:
    """Whether this kernel can show widgets, by these rules in order:

    1. ``WARMCALL_BATCH`` set (``warmcall report`` sets it in its workers) → batch;
    2. an ``output_dir`` (the batch runner's parameter) → batch;
    3. no IPython kernel (plain Python, tests) → batch;
    4. ``WARMCALL_LIVE`` set → live (front ends that are not a Jupyter server);
    5. ``JPY_SESSION_NAME`` set (jupyter_server starts the kernels of open notebooks with
       it: JupyterLab, Notebook) → live;
    6. otherwise (papermill, nbclient, nbval, nbconvert --execute) → batch.
    Batch is the default because a widget in a kernel nobody renders is at best an empty
    area and at worst a hang."""
    if _flag(BATCH_ENV) or (output_dir is not None and str(output_dir) != ""):
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    return _flag(LIVE_ENV) or bool(os.environ.get(SESSION_ENV))


def show(
    analysis: Any,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    half_life_days: float = 0,
    min_quality: float = 0,
    calls_per_day: int | None = None,
    days: int | None = None,
    live: bool | None = None,
) -> Any:
    """Show the what-if page for ``analysis`` (``warmcall.analyse``) in a notebook and return
    what it built: the ``WhatIfPanel`` when live (its controls set to these values), else
    the ``WhatIfModel.state`` dict of the static snapshot (HTML summary and chart, no
    widgets). ``live``: None = ``is_live(output_dir)``. ``half_life_days`` 0 = the params'
    value; ``calls_per_day`` / ``days`` (working days, the plan's unit) None = the params'
    outreach settings."""
    from IPython.display import HTML, Markdown, display

    from warmcall.act.whatif import with_scored_columns

    live = is_live(output_dir) if live is None else live
    features = with_scored_columns(analysis.features, analysis.scores, analysis.params)
    if live:
        from warmcall.present.widgets import WhatIfPanel

        panel = WhatIfPanel(
            analysis.workbook, analysis.params, as_of=analysis.as_of, overview=analysis.overview,
            features=features,
        )  # fmt: skip
        if half_life_days:
            panel.half_life.value = int(half_life_days)
        panel.min_quality.value = int(min_quality)
        if calls_per_day is not None:
            panel.calls_per_day.value = int(calls_per_day)
        if days is not None:
            panel.days.value = int(days)
        display(panel)
        return panel
    model = WhatIfModel(
        analysis.workbook, analysis.params, as_of=analysis.as_of, overview=analysis.overview,
        features=features,
    )  # fmt: skip
    st = model.state(
        half_life_days=half_life_days or None,
        min_quality=min_quality,
        calls_per_day=calls_per_day,
        days=days,
    )
    from warmcall.present import cards

    display(HTML(cards.render(cards.whatif_cards(st), cards.whatif_meaning(st))))
    display(
        Markdown(
            "*Static snapshot for this notebook's parameter values (open the notebook in "
            "JupyterLab to explore).*"
        )
    )
    display(HTML(render_html(st)))
    display(whatif_chart(st["stages"], st["histogram"]))
    return st
