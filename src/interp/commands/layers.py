"""`interp layers`: a model's layer table (names, shapes as the engine reads them, the
layout the model gives each, signs, which layers each reads directly), to write specs against."""

from __future__ import annotations

from interp.commands import read_spec
from interp.errors import InterpError


def layers_command(args) -> int:
    from interp.check.models import models_of_spec, parse_model_ref
    from interp.models.flow import feeders, layer_graph
    from interp.models.load import layer_table, load_model

    if args.model.endswith(".interp"):
        spec, source = read_spec(args.model)
        try:
            specs = models_of_spec(spec, source)
        except InterpError as exc:
            raise exc.with_source(source) from None
    else:
        specs = [parse_model_ref(args.model)]
    for number, model in enumerate(specs):
        handle = load_model(model)
        rows = layer_table(handle)
        graph = layer_graph(handle)
        width = max(len(r.name) for r in rows)
        if len(specs) > 1:
            print(("\n" if number else "") + f"# {model.to_text()}")
        print(f"{'layer':<{width}}  {'shape (C, H, W)':<18}  {'layout':<22}  {'sign':<12}  from")
        for row in rows:
            if not args.all and len(row.shape) != 3:
                continue
            sign = "non-negative" if row.nonnegative else "signed"
            source = ", ".join(feeders(graph, row.name)) or "-"
            layout = f"{row.layout}, runs {len(row.after)}x" if row.after else row.layout
            print(f"{row.name:<{width}}  {str(row.shape):<18}  {layout:<22}  {sign:<12}  {source}")
    return 0
