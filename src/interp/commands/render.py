"""`interp render` and `interp compare`: run a spec and write its pages (or its comparison page).

Outputs are checked writable and the page cache consulted before anything
heavy loads; on a hit nothing runs. Only on a miss do the pipeline, torch and
the renderer import.
"""

from __future__ import annotations

import os
from pathlib import Path

from interp.commands import read_spec
from interp.errors import InterpError, did_you_mean, error
from interp.options import check_budget


def render_command(args) -> int:
    from interp.cache import Cache
    from interp.check.inputs import spec_inputs
    from interp.commands import page_cache
    from interp.files import check_writable

    spec, source = read_spec(args.file)
    budget = args.budget if args.budget is not None else _default_budget()
    spec, pages = _pages(spec, args)
    output = Path(args.output or Path(args.file).with_suffix(".html").name)
    targets = _targets(output, pages, json=args.json, png=args.png)
    outputs = {
        f"{name}.{kind}": path for name, kinds in targets.items() for kind, path in kinds.items()
    }
    if args.metrics:
        outputs["metrics.csv"] = Path(args.metrics)
    inputs = [Path(args.file), *spec_inputs(spec, Path(args.file).parent)]
    written: dict[str, Path] = {}
    for path in outputs.values():
        if path is not None:
            check_writable(path, inputs=inputs)
            if os.path.realpath(path) in written:
                raise error(
                    f"two outputs would be written to {path}",
                    hint="give --metrics (or -o) a file of its own",
                )
            written[os.path.realpath(path)] = path
    # a bad $INTERP_CACHE_DIR is refused now, with --no-cache too: the page's script is kept there
    kept = Cache()
    cache = None if args.no_cache else kept
    key = page_cache.page_key(
        spec,
        Path(args.file).parent,
        quality=args.quality,
        device=args.device or "auto",
        metrics=bool(args.metrics),
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
        metrics=True if args.metrics else None,  # --metrics measures every interface
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
