# warmcall: two commands for a fresh machine with Python 3.11+ and make.
#   make report   set up .venv, install, run the reports on data/sample/, say where they are
#   make test     set up if needed, lint and type-check, run every test (unit, loaders, notebooks, browser, dask)
#   make soak     run the sample report 30 times beside a second run (hangs, mixing, orphans)
#   make lab      JupyterLab on notebooks/ (PORT=8888, BROWSER=no for --no-browser)
SHELL := /bin/bash
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
        command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
        && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: setup report test lab notebooks bench soak sample lint format dist clean

$(STAMP): pyproject.toml
	@if [ -z "$(PY)" ]; then echo "warmcall needs Python 3.11 or newer (python3.11, python3.12, ...)"; exit 1; fi
	@echo "Setting up $(VENV) with $(PY) ($$($(PY) --version))..."
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -m pip install $(PIP_QUIET) -e ".[dev,dask]" 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -c "import warmcall, polars, altair, papermill, nbval" || { echo "install failed"; exit 1; }
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

report: setup
	@$(BIN)/warmcall report --params params/sample.yaml --out reports

test: setup lint
	@$(BIN)/python -m pytest tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider -q

# make lab PORT=8899 BROWSER=no: JupyterLab on that port (default 8888) without opening a
# browser; as root (uid 0: containers, CI) it adds --allow-root, which Jupyter requires there
PORT ?= 8888
LAB_UID ?= $(shell id -u)
LAB_FLAGS = --port=$(PORT) $(if $(filter no,$(BROWSER)),--no-browser) \
	$(if $(filter 0,$(LAB_UID)),--allow-root)

lab: setup
	@$(BIN)/jupyter lab notebooks/ $(strip $(LAB_FLAGS))

# after editing a notebook's source notebooks/NN_*.py: bring its paired .ipynb up to date
# (jupytext --sync writes the newer side of each pair into the other; outputs are kept)
notebooks: setup
	@$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py

bench: setup
	@$(BIN)/python bench/run.py --scale S --scale M --scale L --xxl --write BENCHMARKS.md

soak: setup
	@$(BIN)/python bench/soak.py --runs 30 --jobs 2 --write BENCHMARKS.md

sample: setup
	@$(BIN)/warmcall sample --out data/sample

LINTED := lib tests notebooks bench setup.py

# ruff (lint and format) on the code, mypy on the public API ([tool.mypy] in pyproject.toml)
lint: setup
	@$(BIN)/ruff check $(LINTED) && $(BIN)/ruff format --check $(LINTED) && $(BIN)/mypy && $(BIN)/lint-imports --no-cache

format: setup
	@$(BIN)/ruff format $(LINTED) && $(BIN)/ruff check --fix $(LINTED)

# the sdist and the wheel (with the notebooks and the sample inside) in dist/
dist: setup
	@$(BIN)/python -m build --outdir dist .

clean:
	rm -rf $(VENV) reports dist build .pytest_cache .mypy_cache
