"""`interp` on the command line: check, fmt, plan, render, compare, layers, cache.

Every failure prints as a diagnostic and exits 1: spec mistakes as
`FILE:LINE:COL: error:` with a caret and a hint, environment problems (a
missing CUDA, an unwritable output, a full disk) as `error: ...` with a hint,
and anything else as an internal error that asks for a report. No traceback,
unless `INTERP_DEBUG=1` is set.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import warnings

from interp.commands import report
from interp.commands.cache import cache_command
from interp.commands.check import check_command, fmt_command
from interp.commands.layers import layers_command
from interp.commands.plan import plan_command
from interp.commands.render import render_command
from interp.commands.space import space_command
from interp.errors import Diagnostic
from interp.options import QUALITIES, check_budget
from interp_launch import interrupted

__all__ = ["main", "report"]


def _skip_unused_validators() -> None:
    """Keep jsonschema from loading `rfc3987_syntax` in this process.

    Altair imports jsonschema, which loads `rfc3987_syntax` when it is installed
    (Jupyter's dependencies install it) to check the "iri" string format: it builds
    38 Lark parsers at import, two seconds of every command. No Vega-Lite schema
    this process validates uses that format. Only the command line does this: the
    process is ours (in a notebook, jsonschema stays as the user installed it).
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    _skip_unused_validators()
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 1
    try:
        with plain_warnings():
            return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if interrupted(exc):  # a lazy import interrupted inside a class body: wrapped by Python
            print("interrupted", file=sys.stderr)
            return 130
        report(exc)
        return 1


@contextlib.contextmanager
def plain_warnings():
    """interp's own warnings (skipped dataset files) and PIL's decompression-bomb warning
    print as one `warning: ...` line while a command runs, not in Python's format with
    source paths; other warnings keep Python's format. Only the CLI does this: importing
    interp leaves `warnings` as it is."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if not _plain(category):
            return shown(message, category, filename, lineno, file, line)
        text = " ".join(str(message).split())
        try:
            print(f"warning: {text}", file=file or sys.stderr)
        except OSError:  # stderr gone: a warning is not worth failing for
            pass

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def _plain(category: type[Warning]) -> bool:
    module = getattr(category, "__module__", "") or ""
    return (
        module == "interp" or module.startswith("interp.")
    ) or category.__name__ == "DecompressionBombWarning"


def _diagnostic(message: str, hint: str | None) -> str:
    return Diagnostic(message, hint=hint).render()


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors in interp's form and exit status (1, not 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(_diagnostic(message, f"`{self.prog} --help` lists the options"), file=sys.stderr)
        sys.exit(1)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("interp")
    except metadata.PackageNotFoundError:
        return "unknown"


def _budget(text: str) -> float:
    try:
        return check_budget(float(text), "--budget")
    except ValueError as exc:  # float("x"), or the OptionValueError of a NaN / negative budget
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a budget: a positive number of seconds (inf for none)"
        ) from exc


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="interp", description="A compiler for interpretability interfaces.")
    parser.add_argument("--version", action="version", version=f"interp {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="parse and check specs against their models")
    check.add_argument("files", nargs="+")
    check.add_argument("--static", action="store_true", help="skip the checks that load models")
    check.set_defaults(handler=check_command)

    fmt = sub.add_parser("fmt", help="rewrite specs in canonical form")
    fmt.add_argument("files", nargs="+")
    fmt.add_argument(
        "--check", action="store_true", help="exit 1 and print a diff if a file is not canonical"
    )
    fmt.set_defaults(handler=fmt_command)

    plan = sub.add_parser("plan", help="print the plan and its cost before running anything")
    plan.add_argument("file")
    plan.add_argument(
        "--quality", choices=QUALITIES, default="standard", help="feature-visualization quality"
    )
    plan.add_argument("--json", action="store_true", help="print the plan's DAG as JSON")
    plan.set_defaults(handler=plan_command)

    for name, help_text in (
        ("render", "run a spec and write its page"),
        (
            "compare",
            "render only a spec's comparison (its `compare` statement: the interfaces side by"
            " side on shared scales, with their metrics); refuses a spec without one",
        ),
    ):
        render = sub.add_parser(name, help=help_text, description=help_text)
        render.add_argument("file")
        render.add_argument(
            "-o",
            "--output",
            help="HTML file to write (default: FILE's name with .html; a file of several "
            "interfaces and no `compare` writes one page each, NAME-INTERFACE.html)",
        )
        render.add_argument(
            "--interface", help="render only this interface of the file (and what it extends)"
        )
        render.add_argument(
            "--json", action="store_true", help="also write the Vega-Lite JSON beside the HTML"
        )
        render.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
        render.add_argument(
            "--quality", choices=QUALITIES, default="standard", help="feature-visualization quality"
        )
        render.add_argument(
            "--device", help="torch device (default: cuda when available, else cpu)"
        )
        render.add_argument(
            "--no-cache",
            action="store_true",
            help="recompute everything; keep no results (the Vega bundle every page embeds"
            " is still kept)",
        )
        render.add_argument(
            "--budget",
            type=_budget,
            help="refuse a plan estimated to take longer, in seconds (default 3600, or $INTERP_BUDGET_S)",
        )
        render.add_argument(
            "--metrics", metavar="CSV", help="also write the interface metrics as CSV"
        )
        render.add_argument(
            "--executor",
            choices=("local", "ray"),
            default="local",
            help="run the plan in this process (local) or on a Ray cluster (ray)",
        )
        render.add_argument(
            "--ray-address", help="join this Ray cluster (default: $RAY_ADDRESS, else start one)"
        )
        render.set_defaults(handler=render_command, compare=name == "compare")

    space = sub.add_parser(
        "space", help="draw the design-space diagram of specs (no model is loaded)"
    )
    space.add_argument("files", nargs="+", metavar="FILE")
    space.add_argument("-o", "--output", help="HTML file to write (default: FILE with .space.html)")
    space.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
    space.set_defaults(handler=space_command)

    layers = sub.add_parser("layers", help="list a model's layers, shapes and signs")
    layers.add_argument(
        "model",
        nargs="?",
        default="efficientnet_lite0",
        help="""a model, e.g. efficientnet_lite1 or 'torchvision("resnet18", weights=random)', or a spec file (its models)""",
    )
    layers.add_argument("--all", action="store_true", help="include container modules")
    layers.set_defaults(handler=layers_command)

    cache = sub.add_parser("cache", help="manage the on-disk cache")
    cache.add_argument("action", choices=["clear", "path"])
    cache.set_defaults(handler=cache_command)
    return parser


if __name__ == "__main__":
    sys.exit(main())
