"""Start-up cost of third-party imports that warmcall pays in every process.

``jsonschema`` (imported by altair, nbformat and so papermill) imports the IRI checker
``rfc3987_syntax`` when it is installed, and that module builds about 35 Earley parsers
(lark) at import: about 1.3 s in each process (the CLI, each worker, each notebook kernel),
for a format check warmcall never asks for (jsonschema issue #1428; the Jupyter images
measured the same, opendatahub-io/notebooks#3532). ``defer_iri_grammar()`` puts a stand-in
in ``sys.modules`` that loads the real module on first use: ``is_valid_syntax`` and every
other name behave as the real ones, only later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["defer_iri_grammar"]

_NAME = "rfc3987_syntax"


def _real() -> types.ModuleType:
    """The real module, imported now (the stand-in leaves ``sys.modules`` first)."""
    stub = sys.modules.get(_NAME)
    if stub is not None and getattr(stub, "__warmcall_stand_in__", False):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME)


def _is_valid_syntax(*args: Any, **kwargs: Any) -> Any:
    return _real().is_valid_syntax(*args, **kwargs)


def _getattr(name: str) -> Any:
    if name.startswith("__"):  # probes (``__path__``, ``__wrapped__``...) load nothing
        raise AttributeError(name)
    return getattr(_real(), name)


def defer_iri_grammar() -> bool:
    """Install the stand-in (module docstring) when ``rfc3987_syntax`` is installed and
    neither it nor ``jsonschema``'s format checkers are imported yet; returns whether it
    did. Idempotent."""
    if _NAME in sys.modules or "jsonschema._format" in sys.modules:
        return False
    spec = importlib.util.find_spec(_NAME)
    if spec is None:
        return False
    stub = types.ModuleType(_NAME, "stand-in that imports rfc3987_syntax on first use")
    stub.__dict__.update(
        __warmcall_stand_in__=True,
        __spec__=spec,
        __file__=spec.origin,
        __path__=list(spec.submodule_search_locations or []),
        is_valid_syntax=_is_valid_syntax,
        __getattr__=_getattr,
    )
    sys.modules[_NAME] = stub
    return True
