"""`interp` on the command line: check, fmt, plan, render, compare, layers, cache.

User mistakes print located diagnostics and exit 1; a Python traceback
means a bug in interp.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from interp.errors import InterpError

QUALITIES = ("draft", "standard", "high")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 1
    try:
        return args.handler(args)
    except InterpError as exc:
        print(exc.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interp", description="A compiler for interpretability interfaces."
    )
    sub = parser.add_subparsers(dest="command")

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
    plan.set_defaults(handler=_plan)

    for name, help_text in (
        ("render", "run a spec and write its page"),
        ("compare", "render a comparison page"),
    ):
        render = sub.add_parser(name, help=help_text)
        render.add_argument("file")
        render.add_argument("-o", "--output", help="HTML file to write (default: FILE with .html)")
        render.add_argument("--interface", help="which interface of the file to render")
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
            type=float,
            default=float(os.environ.get("INTERP_BUDGET_S", 3600)),
            help="refuse a plan estimated to take longer, in seconds (default 3600, or $INTERP_BUDGET_S)",
        )
        render.set_defaults(handler=_render, compare=name == "compare")

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
    from interp.check import check

    failed = False
    for file in args.files:
        try:
            spec, source = _read(file)
            check(spec, source=source, bind_models=not args.static)
        except InterpError as exc:
            print(exc.render(), file=sys.stderr)
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
    from interp.plan.build import describe, plan_interface
    from interp.plan.cost import estimate, seconds_per_forward

    spec, source = _read(args.file)
    program = check(spec, source=source)
    for interface in program.interfaces:
        plan = plan_interface(interface)
        handle = load_model(interface.model)
        found = estimate(interface, plan, handle, args.quality, seconds_per_forward(handle))
        print(describe(interface, plan))
        print(found.describe())
    return 0


def _render(args) -> int:
    from interp.execute import page_cache
    from interp.execute.cache import Cache
    from interp.syntax import parse

    spec, source = _read(args.file)
    if args.interface:
        chosen = spec.interface(args.interface)
        if chosen is None:
            from interp.errors import did_you_mean, error

            raise error(
                f"{args.file} has no interface {args.interface!r}",
                hint=did_you_mean(args.interface, [i.name for i in spec.interfaces]),
            )
        spec = parse(_with_parents(spec, chosen).to_text(), args.file)
    output = Path(args.output or Path(args.file).with_suffix(".html").name)
    outputs = {
        "html": output,
        "json": output.with_suffix(".vl.json") if args.json else None,
        "png": output.with_suffix(".png") if args.png else None,
    }
    cache = None if args.no_cache else Cache()
    key = page_cache.page_key(
        spec, Path(args.file).parent, quality=args.quality, device=args.device or "auto"
    )
    if cache is not None and page_cache.restore(cache, key, outputs):
        print(f"wrote {output} (unchanged inputs: from the cache)")
        return 0

    from interp.options import Options
    from interp.pipeline import run
    from interp.render import write_outputs  # the heavy stages load only on a miss

    options = Options(
        device=args.device, quality=args.quality, cache=cache, progress=None, budget=args.budget
    )
    try:
        result = run(spec, options)
    except InterpError as exc:
        raise exc.with_source(source) from None
    comparison = result.comparison() if not args.interface else None
    page = comparison if comparison is not None else result.pages[0]
    write_outputs(page, output, json_path=outputs["json"], png_path=outputs["png"])
    if cache is not None:
        page_cache.store(cache, key, outputs)
    print(f"wrote {output}")
    return 0


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
    for entry in entries:  # only the cache's own <2 hex>/<digest> files
        entry.unlink(missing_ok=True)
    print(f"removed {len(entries)} cached file(s) from {cache.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
