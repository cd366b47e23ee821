"""``load --out``: one consistent set or the previous one, never a mix; one writer at a time
per folder (``warmcall.core.locks``); problems with the user's folders and disk are one line
naming the path and exit 2 (``errors.OutputError``), exit 3 only for bugs."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest
from warmcall.core import locks, outputs
from warmcall.core.errors import OutputError
from warmcall.ingest import load, workbook
from warmcall.run import cli

SET = sorted(workbook.SET_FILES)
LIB = str(Path(workbook.__file__).parents[1])


def export(folder: Path, handle: str, contacts: int) -> Path:
    """A canonical-table export: one account ``x:<handle>``, ``contacts`` connections, one
    interaction each."""
    folder.mkdir(parents=True)
    (folder / "accounts.csv").write_text(
        f"account_id,platform,handle,followers\nx:{handle},x,{handle},{contacts}\n"
    )
    conns = "".join(f"x:{handle},x,{i},c{i},true,true\n" for i in range(contacts))
    (folder / "connections.csv").write_text(
        "account_id,platform,contact_id,handle,follows_me,i_follow\n" + conns
    )
    inter = "".join(f"x:{handle},x,{i},2026-11-01T10:00:00Z,dm,in\n" for i in range(contacts))
    (folder / "interactions.csv").write_text(
        "account_id,platform,contact_id,ts,kind,direction\n" + inter
    )
    return folder


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Two exports (a: 3 contacts, b: 5) and an output folder ``out`` in its own parent; the
    table cache in tmp_path (off: these inputs are far below its 1 MiB floor)."""
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WARMCALL_CACHE_MIN_BYTES", raising=False)
    monkeypatch.delenv("WARMCALL_LOCK_TIMEOUT_S", raising=False)
    a = export(tmp_path / "in" / "a", "alpha", 3)
    b = export(tmp_path / "in" / "b", "beta", 5)
    (tmp_path / "dest").mkdir()
    return a, b, tmp_path / "dest" / "out"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: relative name -> SHA-256 of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run_main(argv: list[str], capsys) -> tuple[int, list[str]]:
    rc = cli.main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return rc, [ln for ln in err.splitlines() if not ln.startswith("wrote ")]


def which_set(out: Path) -> str:
    """'alpha' or 'beta' when every file of ``out`` comes from the same export (checked
    against the export's own numbers), else fails."""
    assert sorted(p.name for p in out.iterdir()) == SET
    handles = set(pl.read_parquet(out / "accounts.parquet")["handle"])
    assert len(handles) == 1
    (h,) = handles
    n = {"alpha": 3, "beta": 5}[h]
    assert pl.read_parquet(out / "connections.parquet").height == n
    assert pl.read_parquet(out / "interactions.parquet").height == n
    rep = json.loads((out / "load-report.json").read_text())
    assert rep["rows_read"] == 1 + 2 * n
    assert {Path(s["path"]).parent.name for s in rep["sources"]} == {h[0]}  # folder a or b
    return h


def leftovers(out: Path) -> list[str]:
    """Anything beside ``out`` in its parent (temporary folders, lock files, .part files)."""
    return sorted(p.name for p in out.parent.iterdir() if p != out)


# --------------------------------------------------------------------------- atomic sets


def test_write_gives_the_set_and_replaces_it_whole(env):
    a, b, out = env
    load.load(a).write(out)
    assert which_set(out) == "alpha"
    (out / "accounts.parquet.part").write_bytes(b"left by an older warmcall")
    load.load(b).write(out)
    assert which_set(out) == "beta" and leftovers(out) == []


@pytest.mark.parametrize(
    "exc",
    [
        pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on "
            "device (os error 28)"
        ),  # what polars 2.1 raises on a full disk (checked on a 64 KiB tmpfs)
        OSError(errno.ENOSPC, "No space left on device"),
    ],
    ids=["polars-compute-error", "oserror"],
)
def test_disk_full_midway_leaves_the_previous_set_and_one_line(env, monkeypatch, capsys, exc):
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    real = pl.DataFrame.write_parquet
    written = []

    def full_after_one(self, path, *args, **kw):
        if written:
            raise exc
        written.append(path)
        return real(self, path, *args, **kw)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full_after_one)
    rc, err = run_main(["load", str(b), "--out", str(out)], capsys)
    assert written, "the failure must come after a first table was written"
    assert rc == 2 and err == [f"warmcall: error: {out}: cannot write: No space left on device"]
    assert snapshot(out) == before and which_set(out) == "alpha"
    assert leftovers(out) == []


def test_file_size_limit_in_a_real_process(env):
    """``ulimit -f`` below the largest table: exit 2, one line, the old set intact."""
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    sizes = sorted((out / n).stat().st_size for n in SET)
    limit = sizes[-1] - 1  # the smaller files fit: the old code left a mix here
    code = (
        f"import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        "from warmcall.run.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, "load", str(b), "--out", str(out)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": LIB},
    )  # fmt: skip
    err = [ln for ln in r.stderr.splitlines() if not ln.startswith("wrote ")]
    assert r.returncode == 2 and err == [f"warmcall: error: {out}: cannot write: File too large"]
    assert snapshot(out) == before and leftovers(out) == []


def test_a_run_that_died_between_the_renames_is_repaired(env, monkeypatch, capsys):
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    out.rename(out.with_name(f".{out.name}.old-99999-0123abcd"))  # died after the 1st rename
    half = out.with_name(f".{out.name}.new-99999-0123abcd")
    half.mkdir()
    (half / "accounts.parquet").write_bytes(b"half")
    monkeypatch.setattr(pl.DataFrame, "write_parquet", lambda *a, **k: 1 / 0)  # a bug, now
    with pytest.raises(ZeroDivisionError):
        load.load(b).write(out)
    assert snapshot(out) == before and leftovers(out) == []  # the old set is back
    monkeypatch.undo()
    load.load(b).write(out)
    assert which_set(out) == "beta"


def test_a_failed_second_rename_puts_the_old_set_back(env, monkeypatch):
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    real = os.rename

    def fail_swap_in(src, dst):
        if Path(src).name.startswith(f".{out.name}.new-"):
            raise OSError(errno.EIO, "Input/output error", str(src))
        return real(src, dst)

    monkeypatch.setattr(outputs.os, "rename", fail_swap_in)
    with pytest.raises(OutputError, match="Input/output error"):
        load.load(b).write(out)
    assert snapshot(out) == before and leftovers(out) == []


def test_symlinked_out_replaces_the_folder_it_points_to(env):
    a, _, out = env
    real = out.with_name("real")
    real.mkdir()
    out.symlink_to(real)
    load.load(a).write(out)
    assert out.is_symlink() and which_set(real) == "alpha"


def test_plan_files_are_written_as_a_pair(tmp_path, monkeypatch):
    csv_, ics = tmp_path / "plan.csv", tmp_path / "plan.ics"
    outputs.write_files_atomic({csv_: "old csv", ics: "old ics"})
    real = os.fsync
    calls = []

    def full_on_second(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(outputs.os, "fsync", full_on_second)
    with pytest.raises(OSError, match="No space"):
        outputs.write_files_atomic({csv_: "new csv", ics: "new ics"})
    assert csv_.read_text() == "old csv" and ics.read_text() == "old ics"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.csv", "plan.ics"]


# --------------------------------------------------------------------------- locks


SLOW_DISK = (  # the CLI with every Parquet write followed by a pause: writes overlap
    "import sys, time, polars as pl\n"
    "real = pl.DataFrame.write_parquet\n"
    "def slow(self, *a, **k):\n"
    "    real(self, *a, **k); time.sleep(0.15)\n"
    "pl.DataFrame.write_parquet = slow\n"
    "from warmcall.run.cli import main; sys.exit(main(sys.argv[1:]))\n"
)


def test_two_concurrent_loads_into_one_folder(env):
    """Two ``load --out`` processes into one folder (on a slow disk, so that their writes
    overlap), five times: each exits 0 (the second waits for the lock) and the folder holds
    one whole set, never a mix. (Before the lock, 5 of 5 rounds crashed or mixed.)"""
    a, b, out = env
    cmd = [sys.executable, "-c", SLOW_DISK, "load"]
    e = {**os.environ, "PYTHONPATH": LIB}
    seen = set()
    for _ in range(5):
        procs = [subprocess.Popen([*cmd, str(x), "--out", str(out)], env=e, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for x in (a, b)]  # fmt: skip
        for p in procs:
            _, err = p.communicate(timeout=120)
            busy = p.returncode == 2 and "busy" in err and len(err.splitlines()) == 1
            assert p.returncode == 0 or busy, err
        seen.add(which_set(out))
        assert leftovers(out) == []
    assert seen <= {"alpha", "beta"}


def test_a_held_lock_makes_load_wait_then_fail_with_one_line(env, monkeypatch, capsys):
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    monkeypatch.setenv("WARMCALL_LOCK_TIMEOUT_S", "0.3")
    with locks.locked(out.resolve()):
        rc, err = run_main(["load", str(b), "--out", str(out)], capsys)
    assert rc == 2 and len(err) == 1
    assert err[0].startswith(
        f"warmcall: error: {out}: busy: another warmcall run (pid {os.getpid()})"
    )
    assert "gave up after 0.3 s" in err[0]
    assert snapshot(out) == before and leftovers(out) == []  # lock file gone with the lock


def test_a_waiter_gets_the_lock_when_it_is_released(env):
    a, _, out = env
    wb = load.load(a)
    holding, released = threading.Event(), threading.Event()

    def hold():
        with locks.locked(out.resolve(), timeout_s=0):
            holding.set()
            threading.Event().wait(0.3)
            released.set()

    t = threading.Thread(target=hold)
    t.start()
    assert holding.wait(10)
    wb.write(out, timeout_s=30)
    assert released.is_set()  # written only after the holder let go
    t.join()
    assert which_set(out) == "alpha" and leftovers(out) == []


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    target = tmp_path / "out"
    code = (
        "import os, signal, sys; from warmcall.core import locks\n"
        "with locks.locked(sys.argv[1]):\n"
        "    print('held', flush=True); os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True,
                       text=True, env={**os.environ, "PYTHONPATH": LIB}, timeout=60)  # fmt: skip
    assert r.stdout == "held\n" and r.returncode == -signal.SIGKILL
    assert locks.lock_file(target).exists()  # killed: it could not remove its file ...
    with locks.locked(target, timeout_s=0):  # ... but the kernel dropped its lock
        pass
    assert not locks.lock_file(target).exists()


def test_a_waiter_on_a_removed_lock_file_locks_the_current_one(tmp_path):
    """The holder removes the lock file as it lets go; a waiter that then gets the lock of
    the removed file must not enter while another run holds the new file at the path."""
    import fcntl

    target = tmp_path / "out"
    lf = locks.lock_file(target)
    first = os.open(lf, os.O_RDWR | os.O_CREAT)
    fcntl.flock(first, fcntl.LOCK_EX)  # a holder
    entered = threading.Event()

    def waiter():
        with locks.locked(target, timeout_s=30):
            entered.set()

    t = threading.Thread(target=waiter)
    t.start()
    threading.Event().wait(0.3)  # the waiter has opened the first file and polls
    os.unlink(lf)  # the holder lets go as ``locked`` does: file removed, then unlocked ...
    second = os.open(lf, os.O_RDWR | os.O_CREAT)
    fcntl.flock(second, fcntl.LOCK_EX)  # ... and a third run takes the new file at once
    os.close(first)
    assert not entered.wait(0.5), "entered while another run held the lock file at the path"
    os.unlink(lf)
    os.close(second)
    t.join(30)
    assert entered.is_set() and not lf.exists()


# --------------------------------------------------------------------------- refusals


def test_out_inside_or_equal_to_an_input_is_refused(env, capsys):
    a, _, out = env
    before = snapshot(a.parent)
    for target, phrase in [(a, "inside the input"), (a / "tables", "inside the input"),
                           (a.parent, "holds the input")]:  # fmt: skip
        rc, err = run_main(["load", str(a), "--out", str(target)], capsys)
        assert rc == 2 and len(err) == 1 and phrase in err[0] and str(target) in err[0]
    assert snapshot(a.parent) == before


def test_load_of_its_own_output_into_itself_is_refused(env, capsys):
    a, _, out = env
    assert run_main(["load", str(a), "--out", str(out)], capsys)[0] == 0
    before = snapshot(out)
    rc, err = run_main(["load", str(out), "--out", str(out)], capsys)
    assert rc == 2 and err == [
        f"warmcall: error: {out}: --out is inside the input {out}; choose a folder outside it"
    ]
    assert snapshot(out) == before


def test_out_that_is_a_file_is_refused_before_loading(env, capsys, monkeypatch):
    a, _, out = env
    out.write_text("my notes")
    calls = []
    monkeypatch.setattr(load, "load", lambda *a, **k: calls.append(a))
    rc, err = run_main(["load", str(a), "--out", str(out)], capsys)
    assert rc == 2 and err == [
        f"warmcall: error: {out}: not a folder (it is a file); choose a folder for --out"
    ]
    assert calls == [] and out.read_text() == "my notes"


def test_out_holding_other_files_is_refused(env, capsys):
    a, _, out = env
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    rc, err = run_main(["load", str(a), "--out", str(out)], capsys)
    assert rc == 2 and len(err) == 1 and "holds 'notes.txt'" in err[0] and str(out) in err[0]
    assert snapshot(out) == {"notes.txt": hashlib.sha256(b"mine").hexdigest()}


@pytest.mark.parametrize("how", ["chmod", "monkeypatched"])
def test_read_only_out_is_one_line_exit_2(env, capsys, monkeypatch, how):
    a, b, out = env
    load.load(a).write(out)
    before = snapshot(out)
    if how == "chmod":
        if os.geteuid() == 0:
            pytest.skip("root writes into read-only folders; the monkeypatched case covers it")
        out.parent.chmod(0o555)
        want = "Permission denied"
    else:  # what the OS says to a non-root user creating the temporary sibling folder
        real = os.mkdir

        def denied(path, *args, **kw):
            if Path(path).name.startswith(f".{out.name}.new-"):
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path, *args, **kw)

        monkeypatch.setattr(outputs.os, "mkdir", denied)
        want = "Permission denied"
    try:
        rc, err = run_main(["load", str(b), "--out", str(out)], capsys)
    finally:
        out.parent.chmod(0o755)
    assert rc == 2 and len(err) == 1 and str(out) in err[0] and want in err[0]
    assert snapshot(out) == before


# --------------------------------------------------------------------------- exit codes


def test_user_path_errors_of_other_commands_exit_2_bugs_exit_3(env, capsys, monkeypatch):
    a, _, out = env
    blocker = out.parent / "file"
    blocker.write_text("x")
    plan_out = blocker / "plans"
    rc, err = run_main(["plan", str(a), "--out", str(plan_out), "--start", "2026-11-16"],
                       capsys)  # fmt: skip
    assert rc == 2 and len(err) == 1 and err[0].startswith(f"warmcall: error: {plan_out}: ")

    def disk_full(args):  # an OSError that names no file: the command's --out is named
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cli, "_cmd_load", disk_full)
    rc, err = run_main(["load", str(a), "--out", str(out)], capsys)
    assert rc == 2 and err == [f"warmcall: error: {out}: No space left on device"]

    def bug(args):
        raise ValueError("a bug")

    monkeypatch.setattr(cli, "_cmd_load", bug)
    rc, err = run_main(["load", str(a)], capsys)
    assert rc == 3 and len(err) == 1 and "internal error: ValueError: a bug" in err[0]
