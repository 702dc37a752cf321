"""`interp` on the command line: check, fmt, plan, render, compare, layers, cache.

Every failure prints as a diagnostic and exits 1: spec mistakes as
`FILE:LINE:COL: error:` with a caret and a hint, environment problems (a
missing CUDA, an unwritable output, a full disk) as `error: ...` with a hint,
and anything else as an internal error that asks for a report. No traceback,
unless `INTERP_DEBUG=1` is set.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from interp.errors import Diagnostic, InterpError, describe_exception, did_you_mean, error
from interp.options import QUALITIES, check_budget


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 1
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        report(exc)
        return 1


def report(exc: BaseException) -> None:
    """Print `exc` for a person: a diagnostic, with the traceback only under INTERP_DEBUG=1."""
    if os.environ.get("INTERP_DEBUG", "") not in ("", "0"):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print(describe_exception(exc), file=sys.stderr)


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


def _default_budget() -> float:
    text = os.environ.get("INTERP_BUDGET_S")
    if text is None:
        return 3600.0
    try:
        return check_budget(float(text), "$INTERP_BUDGET_S")
    except ValueError:
        raise error(
            f"$INTERP_BUDGET_S is {text!r}, not a budget",
            hint="a positive number of seconds (inf for none), or unset it",
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="interp", description="A compiler for interpretability interfaces.")
    parser.add_argument("--version", action="version", version=f"interp {_version()}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = sub.add_parser("check", help="parse and check specs against their models")
    check.add_argument("files", nargs="+")
    check.add_argument("--static", action="store_true", help="skip the checks that load models")
    check.set_defaults(handler=_check)

    fmt = sub.add_parser("fmt", help="rewrite specs in canonical form")
    fmt.add_argument("files", nargs="+")
    fmt.add_argument(
        "--check", action="store_true", help="exit 1 and print a diff if a file is not canonical"
    )
    fmt.set_defaults(handler=_fmt)

    plan = sub.add_parser("plan", help="print the plan and its cost before running anything")
    plan.add_argument("file")
    plan.add_argument(
        "--quality", choices=QUALITIES, default="standard", help="feature-visualization quality"
    )
    plan.add_argument("--json", action="store_true", help="print the plan's DAG as JSON")
    plan.set_defaults(handler=_plan)

    for name, help_text in (
        ("render", "run a spec and write its page"),
        ("compare", "render a comparison page"),
    ):
        render = sub.add_parser(name, help=help_text)
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
            "--no-cache", action="store_true", help="recompute everything; write no cache"
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
        render.set_defaults(handler=_render, compare=name == "compare")

    space = sub.add_parser(
        "space", help="draw the design-space diagram of specs (no model is loaded)"
    )
    space.add_argument("files", nargs="+", metavar="FILE")
    space.add_argument("-o", "--output", help="HTML file to write (default: FILE with .space.html)")
    space.add_argument("--png", action="store_true", help="also write a PNG beside the HTML")
    space.set_defaults(handler=_space)

    layers = sub.add_parser("layers", help="list a model's layers, shapes and signs")
    layers.add_argument(
        "model",
        nargs="?",
        default="efficientnet_lite0",
        help="""a model, e.g. efficientnet_lite1 or 'torchvision("resnet18", weights=random)', or a spec file (its models)""",
    )
    layers.add_argument("--all", action="store_true", help="include container modules")
    layers.set_defaults(handler=_layers)

    cache = sub.add_parser("cache", help="manage the on-disk cache")
    cache.add_argument("action", choices=["clear", "path"])
    cache.set_defaults(handler=_cache)
    return parser


def _read(path: str):
    from interp.syntax import load

    return load(path), Path(path).read_text(encoding="utf-8")


def _check(args) -> int:
    """Check every file, even after one fails; 1 when any did."""
    from interp.check import check

    failed = False
    for file in args.files:
        try:
            spec, source = _read(file)
            check(spec, source=source, bind_models=not args.static)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            report(exc)
            failed = True
        else:
            print(f"{file}: ok")
    return 1 if failed else 0


def _fmt(args) -> int:
    from interp.syntax.fmt import fmt_main

    return fmt_main(args.files, check=args.check)


def _plan(args) -> int:
    from interp.check import check
    from interp.models.load import load_model
    from interp.plan.build import build_plan
    from interp.plan.cost import estimate, seconds_per_forward
    from interp.plan.describe import as_json, describe
    from interp.plan.sizing import LayerFacts

    spec, source = _read(args.file)
    program = check(spec, source=source)
    plan = build_plan(program, quality=args.quality, facts=LayerFacts.of_models())
    if args.json:
        import json

        print(json.dumps(as_json(plan), indent=1))
        return 0
    handles = {m: load_model(m) for m in plan.models()}
    per_forward = max((seconds_per_forward(h) for h in handles.values()), default=0.0)
    print(describe(plan))
    print(estimate(plan, handles, args.quality, per_forward).describe())
    return 0


def _render(args) -> int:
    from interp.execute import page_cache
    from interp.execute.cache import Cache
    from interp.files import check_writable

    spec, source = _read(args.file)
    budget = args.budget if args.budget is not None else _default_budget()
    spec, pages = _pages(spec, args)
    output = Path(args.output or Path(args.file).with_suffix(".html").name)
    targets = _targets(output, pages, json=args.json, png=args.png)
    outputs = {
        f"{name}.{kind}": path for name, kinds in targets.items() for kind, path in kinds.items()
    }
    if args.metrics:
        outputs["metrics.csv"] = Path(args.metrics)
    for path in outputs.values():
        if path is not None:
            if path.resolve() == Path(args.file).resolve():
                raise error(f"the output {path} is the spec itself", hint="name an .html file")
            check_writable(path)
    cache = None if args.no_cache else Cache()
    key = page_cache.page_key(
        spec, Path(args.file).parent, quality=args.quality, device=args.device or "auto"
    )
    if cache is not None and page_cache.restore(cache, key, outputs):
        _report_written(outputs, page_cache.icons(cache, key), "from the cache: unchanged inputs")
        return 0

    from interp.options import Options

    options = Options(  # checks the device before the heavy stages load
        device=args.device,
        quality=args.quality,
        cache=cache,
        progress=None,
        budget=budget,
        executor=args.executor,
        ray_address=args.ray_address,
    )
    from interp.files import write_all
    from interp.pipeline import run
    from interp.render.export import render_outputs  # the heavy stages load only on a miss
    from interp.render.pictures import icon_count

    try:
        result = run(spec, options)
    except InterpError as exc:
        raise exc.with_source(source) from None
    views = {p.name: p for p in result.pages}
    files: dict[Path, bytes] = {}
    icons: dict[str, int] = {}
    for name, paths in targets.items():
        view = result.comparison() if name is None else views[name]
        files.update(
            render_outputs(view, paths["html"], json_path=paths["json"], png_path=paths["png"])
        )
        icons[f"{name}.html"] = icon_count(view)
    if args.metrics:
        files[Path(args.metrics)] = result.metrics().to_csv(index=False).encode()
    write_all(files)
    if cache is not None:
        page_cache.store(cache, key, outputs, icons)
    _report_written(outputs, icons)
    return 0


def _pages(spec, args) -> tuple[object, list[str | None]]:
    """The spec to run and the pages to write (interface names; None: the comparison page)."""
    names = [i.name for i in spec.interfaces]
    if args.interface:
        chosen = spec.interface(args.interface)
        if chosen is None:
            raise error(
                f"{args.file} has no interface {args.interface!r}",
                hint=did_you_mean(args.interface, names),
            )
        return _with_parents(spec, chosen), [chosen.name]
    if args.compare and not spec.comparisons:
        raise error(
            f"{args.file} has no `compare` statement",
            hint="add `compare A, B` naming its interfaces, or use `interp render`",
        )
    if spec.comparisons:
        return spec, [None]
    return spec, names


def _targets(output: Path, pages: list[str | None], *, json: bool, png: bool) -> dict:
    """Per page, the files to write: `html`, and `json` / `png` beside it (None: not asked).

    One page is written to `output`; several to `STEM-INTERFACE.html` beside it."""
    targets: dict[str | None, dict[str, Path | None]] = {}
    for name in pages:
        html = output if len(pages) == 1 else output.with_name(f"{output.stem}-{name}.html")
        targets[name] = {
            "html": html,
            "json": html.with_suffix(".vl.json") if json else None,
            "png": html.with_suffix(".png") if png else None,
        }
    return targets


def _report_written(outputs: dict[str, Path | None], icons: dict[str, int], note: str = "") -> None:
    """One line per file written, with its size (and a page's icon count): a page's weight."""
    from interp.files import describe_size

    for kind, path in outputs.items():
        if path is not None:
            extra = [f"{icons[kind]} icons"] if kind in icons else []
            extra += [note] if note else []
            details = ", ".join([describe_size(path.stat().st_size), *extra])
            print(f"wrote {path} ({details})")


def _with_parents(spec, chosen):
    """The chosen interface and everything it extends, without comparisons."""
    keep, name = [], chosen.name
    while name is not None:
        interface = spec.interface(name)
        if interface is None or interface in keep:
            break
        keep.insert(0, interface)
        name = interface.extends
    return spec.model_copy(update={"items": tuple(keep)})


def _space(args) -> int:
    from interp.check import check
    from interp.compare.space import design_space
    from interp.render.space import write_space

    programs = {}
    for file in args.files:
        spec, source = _read(file)
        programs[file] = check(spec, source=source, bind_models=False)
    output = Path(args.output or Path(args.files[0]).with_suffix(".space.html").name)
    png = output.with_suffix(".png") if args.png else None
    written = write_space(design_space(programs), output, png)
    print("wrote " + ", ".join(str(path) for path in written))
    return 0


def _layers(args) -> int:
    from interp.check.models import models_of_spec, parse_model_ref
    from interp.models.load import layer_table, load_model

    if args.model.endswith(".interp"):
        spec, source = _read(args.model)
        try:
            specs = models_of_spec(spec, source)
        except InterpError as exc:
            raise exc.with_source(source) from None
    else:
        specs = [parse_model_ref(args.model)]
    for number, model in enumerate(specs):
        rows = layer_table(load_model(model))
        width = max(len(r.name) for r in rows)
        if len(specs) > 1:
            print(("\n" if number else "") + f"# {model.to_text()}")
        print(f"{'layer':<{width}}  {'shape (C, H, W)':<18}  sign")
        for row in rows:
            if not args.all and len(row.shape) != 3:
                continue
            sign = "non-negative" if row.nonnegative else "signed"
            print(f"{row.name:<{width}}  {str(row.shape):<18}  {sign}")
    return 0


def _cache(args) -> int:
    from interp.execute.cache import Cache

    cache = Cache()
    if args.action == "path":
        print(cache.root)
        return 0
    entries = list(cache.root.glob("??/*")) if cache.root and cache.root.is_dir() else []
    if cache.root and cache.root.is_dir():  # and the dataset passes' Parquet rows beside them
        entries += list(cache.root.glob("datasets/*/chunk-*.parquet"))
    for entry in entries:  # only the cache's own <2 hex>/<digest> files
        entry.unlink(missing_ok=True)
    print(f"removed {len(entries)} cached file(s) from {cache.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
