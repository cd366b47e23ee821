"""``warmcall.core.imports.defer_iri_grammar``: importing warmcall (then altair, papermill)
does not build jsonschema's IRI grammar, and the IRI format check still answers as the real
``rfc3987_syntax`` does once it is used. Run in a fresh interpreter: this one has imported
jsonschema long ago."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib"

PROBE = """
import json, sys
import warmcall, altair, papermill
stand_in = getattr(sys.modules.get("rfc3987_syntax"), "__warmcall_stand_in__", False)
lark_loaded = "lark" in sys.modules
from jsonschema import Draft202012Validator
v = Draft202012Validator({"format": "iri"}, format_checker=Draft202012Validator.FORMAT_CHECKER)
answers = [v.is_valid(s) for s in ("https://example.com/\u00fc", "no iri: <>", "mailto:a@b.c")]
import rfc3987_syntax
real = [rfc3987_syntax.is_valid_syntax("iri", s) for s in ("https://example.com/\u00fc", "no iri: <>", "mailto:a@b.c")]
print(json.dumps({"stand_in": stand_in, "lark": lark_loaded, "answers": answers, "real": real,
                  "now_real": not getattr(sys.modules["rfc3987_syntax"], "__warmcall_stand_in__", False)}))
"""


def test_iri_grammar_loads_on_first_use_and_answers_as_the_real_one():
    pytest.importorskip("rfc3987_syntax")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(LIB), os.environ.get("PYTHONPATH", "")]),
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["stand_in"] and not r["lark"], (
        "no grammar built by importing warmcall, altair, papermill"
    )
    assert r["answers"] == r["real"] == [True, False, True]
    assert r["now_real"]


def test_nothing_to_defer_once_jsonschema_formats_are_loaded():
    import jsonschema._format  # noqa: F401
    from warmcall.core.imports import defer_iri_grammar

    assert defer_iri_grammar() is False
