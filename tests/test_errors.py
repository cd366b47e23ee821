"""One exception tree (warmcall.core.errors) and its one mapping to exit codes and one-line
messages (warmcall.run.cli.main): user problems exit 2, a failed run exits 1, bugs exit 3."""

from __future__ import annotations

import pytest
from warmcall.core.errors import (
    InputError,
    OutputError,
    ParamsError,
    RunError,
    WarmcallError,
)
from warmcall.core.params import load_params
from warmcall.run import cli


def test_the_tree_and_its_exit_codes():
    for cls in (InputError, OutputError, ParamsError, RunError):
        assert issubclass(cls, WarmcallError)
    assert issubclass(ParamsError, InputError) and issubclass(OutputError, InputError)
    assert not issubclass(RunError, InputError)
    codes = {c.__name__: c("x", "y").exit_code for c in (InputError, OutputError, ParamsError)}
    assert codes == {"InputError": 2, "OutputError": 2, "ParamsError": 2}
    assert RunError("x", "y").exit_code == 1 and WarmcallError.exit_code == 3
    assert str(RunError("reports/index.html", "1 of 2\nreports failed")) == (
        "reports/index.html: 1 of 2 reports failed"  # always one line
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("title: [unclosed\n", "not valid YAML"),
        ("bogus_key: 1\n", "bogus_key: unknown key"),
        ("window_days: [90]\n", "window_days: Input should be a valid integer"),
    ],
)
def test_every_params_file_problem_is_a_params_error(tmp_path, text, problem):
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as e:
        load_params(path)
    assert str(e.value).startswith(f"{path}: ") and problem in str(e.value)
    (tmp_path / "latin.yaml").write_bytes(b"title: caf\xe9\n")
    with pytest.raises(ParamsError, match="params file is not UTF-8 text"):
        load_params(tmp_path / "latin.yaml")


def _main(argv, capsys):
    rc = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return rc, err.splitlines()


def test_main_maps_each_kind_to_one_line_and_its_exit_code(monkeypatch, capsys):
    assert _main(["sample", "--seed", "-1"], capsys) == (
        2, ["warmcall: error: --seed: must be a whole number of 0 or more (got -1)"]
    )  # fmt: skip

    def raises(exc):
        def cmd(args):
            raise exc

        return cmd

    monkeypatch.setattr(
        cli, "_cmd_sample", raises(RunError("r/index.html", "2 of 3 reports failed"))
    )
    assert _main(["sample"], capsys) == (
        1,
        ["warmcall: error: r/index.html: 2 of 3 reports failed"],
    )
    monkeypatch.setattr(cli, "_cmd_sample", raises(OutputError("out", "cannot write: disk full")))
    assert _main(["sample"], capsys) == (2, ["warmcall: error: out: cannot write: disk full"])
    monkeypatch.setattr(cli, "_cmd_sample", raises(KeyError("a bug")))
    rc, err = _main(["sample"], capsys)
    assert rc == 3 and len(err) == 1 and err[0].startswith("warmcall: internal error: KeyError")
