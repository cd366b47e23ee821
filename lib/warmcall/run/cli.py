"""``warmcall`` command line: load, sample, report, plan, quickstart, init (``--version``).

Unusable input, and a problem with the user's output paths or disk (``--out`` is a file, not
writable, disk full, permission denied; ``errors.OutputError``), prints one line on stderr
naming the path and the problem and exits 2; ``--debug`` shows the traceback instead.
Row-level rejects are reported, not fatal. Exit 3 ("internal error") is for bugs only.
Every message printed here goes through ``sanitize.terminal`` (paths, member names and data
are hostile: an escape sequence or a newline in a folder name must not act on the terminal
or forge a line), and ``--json`` output through ``sanitize.terminal_json``.
"""

from __future__ import annotations

import argparse
import codecs
import sys
import traceback
from collections.abc import Callable

from warmcall.core.errors import ParamsError, WarmcallError, user_path_error
from warmcall.core.sanitize import terminal, terminal_json


def _cmd_load(a: argparse.Namespace) -> int:
    from warmcall.ingest.load import load

    if a.encoding:
        try:
            codecs.lookup(a.encoding)
        except LookupError:
            raise ParamsError("--encoding", f"unknown encoding {a.encoding!r}") from None
    if a.out:  # refused before a long load: inside an input, a file, holds other things
        from warmcall.core.outputs import check_out_folder
        from warmcall.ingest.workbook import SET_FILES

        check_out_folder(a.out, a.paths, SET_FILES)
    wb = load(*a.paths, mapping=a.mapping, encoding=a.encoding)
    if a.out:
        for p in wb.write(a.out):
            print(f"wrote {terminal(p)}", file=sys.stderr)
    print(terminal_json(wb.report.to_json()) if a.json else wb.report.text())
    return 0


def _cmd_sample(a: argparse.Namespace) -> int:
    from warmcall.sample.story import generate, write_canonical

    if a.seed < 0:  # numpy's generator refuses it (was an internal error)
        raise ParamsError("--seed", f"must be a whole number of 0 or more (got {a.seed})")
    tables = generate(a.scale, seed=a.seed)
    if a.layout == "exports":
        from warmcall.sample.exports import write_exports

        written: list = write_exports(tables, a.out)
    else:
        written = write_canonical(tables, a.out, fmt=a.format)
    for p in written:
        print(f"wrote {terminal(p)}", file=sys.stderr)
    return 0


def _cmd_report(a: argparse.Namespace) -> int:
    from warmcall.run.report_command import main_report

    return main_report(a)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="warmcall",
        description="Who am I really connected to? "
        "Follower counts vs engagement and relationship quality.",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    from warmcall.core.resources import package_version

    p.add_argument("--version", action="version", version=f"warmcall {package_version()}")
    sub = p.add_subparsers(dest="cmd", required=True)

    ld = sub.add_parser("load", help="load exports into canonical tables and report every row")
    ld.add_argument("paths", nargs="+", help="export folders, zips, tar.gz or files")
    ld.add_argument(
        "--mapping", help="YAML mapping for CSVs in another layout (not applied to known exports)"
    )
    ld.add_argument(
        "--encoding",
        help="text encoding of the inputs (e.g. latin-1; a file that is valid UTF-8 is read "
        "as UTF-8, with a note)",
    )
    ld.add_argument("--out", help="write <table>.parquet and load-report.json here")
    ld.add_argument("--json", action="store_true", help="print the load report as JSON")
    ld.set_defaults(func=_cmd_load)

    sm = sub.add_parser("sample", help="write the seeded Northwind Research sample data")
    sm.add_argument("--out", default="data/sample")
    sm.add_argument("--scale", default="sample", choices=["sample", "S", "M", "L"])
    sm.add_argument("--seed", type=int, default=7, help="random seed, 0 or more (default: 7)")
    sm.add_argument(
        "--layout", default="exports", choices=["exports", "canonical"],
        help="exports: the platforms' real zips (default); canonical: warmcall's own tables",
    )  # fmt: skip
    sm.add_argument(
        "--format", default="csv", choices=["csv", "parquet"], help="for --layout canonical"
    )
    sm.set_defaults(func=_cmd_sample)

    rp = sub.add_parser("report", help="run the notebooks with papermill and write HTML reports")
    from warmcall.run.report_command import add_arguments

    add_arguments(rp)
    rp.set_defaults(func=_cmd_report)

    from warmcall.run.plan_command import add_plan_parser

    add_plan_parser(sub)
    from warmcall.run.quickstart import add_parsers as add_quickstart_parsers

    add_quickstart_parsers(sub)
    return p


#: Longest error line printed (characters after escaping): a path or key can be huge.
_MAX_LINE = 2000


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except WarmcallError as e:  # the user's input, params, paths, or a failed run
        if args.debug:
            traceback.print_exc()
        print(f"warmcall: error: {terminal(e, limit=_MAX_LINE)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("warmcall: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - last resort: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        where = getattr(e, "filename", None) or getattr(args, "out", None) or f"warmcall {args.cmd}"
        if (user := user_path_error(e, where)) is not None:  # the user's path or disk, not a bug
            print(f"warmcall: error: {terminal(user, limit=_MAX_LINE)}", file=sys.stderr)
            return 2
        where = terminal(getattr(e, "filename", None) or "", limit=_MAX_LINE)
        msg = terminal(" ".join(str(e).split()), limit=300)
        print(f"warmcall: internal error: {type(e).__name__}: {msg} {where}".rstrip()
              + " (run with --debug for details)", file=sys.stderr)  # fmt: skip
        return 3


if __name__ == "__main__":
    sys.exit(main())
