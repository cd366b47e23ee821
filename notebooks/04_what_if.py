# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -papermill,-execution,-ExecuteTime
#     notebook_metadata_filter: -papermill,-widgets,-language_info
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What if? Re-weight, filter, prune and project
#
# Live in JupyterLab (`make lab`): move the controls and the summary and charts update. In a batch report, widgets cannot run, so the same computation is shown for the parameter values of this notebook.

# %% tags=["parameters"]
params_file: str = "../params/sample.yaml"  # YAML params set, see params/sample.yaml
params: dict = {}  # the validated params as a dict (the batch runner passes it; wins over params_file)
report_set: str = ""  # name of the report set (batch runs)
output_dir: str = ""  # folder for metrics.json in batch runs; empty: do not write
renderer: str = "auto"  # Altair renderer: auto (static SVG figures), static, svg, default
half_life_days: float = 0  # what-if: recency half-life; 0 means the params value
min_quality: int = 20  # what-if: ignore followers below this quality
calls_per_day: int = 2  # what-if: outreach intensity
days: int = 20  # what-if: outreach length in working days (the plan's unit)

# %%
import warmcall as wc
from warmcall.present import whatif_page
from warmcall.present.display import pick_renderer, setup

setup(pick_renderer(renderer, batch=bool(output_dir)))
analysis = wc.analyse(params or params_file)

# %%
# live JupyterLab: the widget panel; batch runs: a static snapshot, no widgets
view = whatif_page.show(
    analysis,
    output_dir=output_dir,
    half_life_days=half_life_days,
    min_quality=min_quality,
    calls_per_day=calls_per_day,
    days=days,
)
