"""Contents over a dataset, `correlation`, and selections of an atlas's cells: their checks.

A content computed `over=` a dataset gains an `example` axis (`check.axes`);
what it may compute is what one streamed pass over the examples can keep
without the whole cube (docs/semantics.md §6): a layer's `.spatial` or `.channels`
activations, linear attribution of a layer's `.channels` to named classes,
and the correlation of two layers' channels. Such a content is shown as
`examples` (after a `top(k)`: a dataset has too many examples to show) or
laid out as an `atlas`. An atlas's atoms are cells: selecting one binds the
cell's members in a content over the same dataset, or projects a single
image's activation vectors onto the cell's mean direction.
"""

from __future__ import annotations

from interp.check.keywords import once
from interp.check.problems import Problems
from interp.check.program import (
    Aggregate,
    Content,
    Element,
    Presentation,
    SelectAt,
    SelectFrom,
    Top,
)
from interp.check.scope import Scope
from interp.data.datasets import DatasetSpec, example_count
from interp.errors import InterpError
from interp.syntax import ast
from interp.vocabulary.operations import QUANTILE_VALUES
from interp.vocabulary.presentations import PRESENTATIONS

OVER_EXAMPLE = "activations(L.spatial, over=pics)"


def over_option(content: ast.Activations, scope: Scope) -> tuple[DatasetSpec | None, bool]:
    """`activations(S, over=D)`'s dataset (None without one), and whether its options are sound."""
    return _over(
        content.options, scope, "activations", f"takes a substrate and over=DATASET: {OVER_EXAMPLE}"
    )


def _over(options, scope: Scope, what: str, example: str) -> tuple[DatasetSpec | None, bool]:
    """The dataset of `over=` among a content's options; any other option is reported."""
    over, ok = None, once(options, what, scope.problems)
    for arg in options:
        if arg.name == "over":
            over = scope.dataset(arg.value)
            ok = ok and over is not None
        else:
            scope.problems.add(
                f"{what}: unknown option {arg.to_text()!r}", arg.span, f"{what} {example}"
            )
            ok = False
    return over, ok


def checked(found: Content, written: ast.Activations | ast.Attribution, scope: Scope):
    """`found`, when what it computes over its dataset is supported; else None (reported)."""
    if found.over is None:
        return found
    add = scope.problems.add
    source = found.source
    if found.kind == "activations":
        layer_atoms = source.kind == "layer" and source.groups is None
        if not layer_atoms or source.atoms not in ("spatial", "channels"):
            add(
                f"activations over a dataset read a layer's .spatial or .channels, not {source.describe()}",
                written.substrate.span,  # type: ignore[union-attr]
                f"e.g. {OVER_EXAMPLE}, or activations(L.channels, over=pics)",
            )
            return None
        return found
    target = found.target
    example = 'attribution(L.channels -> output["tabby"], over=pics)'
    to_classes = target is not None and target.kind == "output" and bool(target.labels)
    to_channels = (
        target is not None
        and target.kind == "layer"
        and target.groups is None
        and target.atoms == "channels"
        and target.model == source.model
    )
    if (
        source.kind != "layer"
        or source.groups is not None
        or source.atoms != "channels"
        or not (to_classes or to_channels)
    ):
        add(
            "attribution over a dataset goes from a layer's .channels to named output classes, "
            "or to a later layer's .channels (then aggregated over the examples)",
            written.span,
            f"e.g. {example}, or attribution(A.channels -> B.channels, over=pics) "
            "| mean(over=example)",
        )
        return None
    if found.method.name != "linear" or found.maxpool != "default":
        add(
            "attribution over a dataset is linear: one batched backward pass per chunk of examples",
            written.span,
            f"drop method= and maxpool=: {example}",
        )
        return None
    return found


def correlation(written: ast.Correlation, scope: Scope) -> Content | None:
    """`correlation(A.channels -> B.channels, over=D)`: A and B may be layers of different models."""
    add = scope.problems.add
    source, target = scope.substrate(written.source), scope.substrate(written.target)
    over, ok = _over(
        written.options, scope, "correlation", "takes over=DATASET: correlation(a -> b, over=pics)"
    )
    if source is None or target is None or not ok:
        return None
    if over is None:
        add(
            "correlation is taken over a dataset's examples: it needs over=",
            written.span,
            "e.g. let pics = dataset(samples(), crops=256, seed=0) ... correlation(a.channels -> b.channels, over=pics)",
        )
        return None
    for substrate, where in ((source, written.source), (target, written.target)):
        if (
            substrate.kind != "layer"
            or substrate.groups is not None
            or substrate.atoms != "channels"
        ):
            add(
                f"correlation compares layers' channels, not {substrate.describe()}",
                where.span,
                'e.g. correlation(layer("blocks.4.2.bn1").channels -> '
                'layer("blocks.4.2.bn1", model=efficientnet_lite1).channels, over=pics)',
            )
            return None
    count = _count(over)
    if count is not None and count < 2:
        add(
            f"correlation is undefined over {count} example{'s' if count != 1 else ''}: "
            f"{over.describe()} has fewer than 2",
            written.span,
            "Pearson's r needs at least two examples: widen the glob, raise limit=, or draw "
            "crops: dataset(samples(), crops=256, seed=0)",
        )
        return None
    return Content("correlation", source, target, over=over)


def _count(over: DatasetSpec) -> int | None:
    """How many examples `over` has; None when it cannot be listed (reported where models
    are bound, at its `dataset(...)`)."""
    try:
        return example_count(over)
    except InterpError:
        return None


def shown(
    stmt: ast.ElementStmt,
    content: Content,
    ops: tuple,
    presentation: Presentation,
    problems: Problems,
    facts=None,
) -> None:
    """A content with an example axis is shown as examples (after top(k)) or as an atlas."""
    if content.over is None or content.kind == "correlation":
        return
    if aggregated(stmt, content, ops, problems):
        quantile_fits(stmt, content, ops, problems, facts)
        return
    at = stmt.presentation.span
    declared = PRESENTATIONS[presentation.kind]
    if not declared.shows_examples:
        problems.add(
            f"{content.kind} over a dataset has an example axis, which {presentation.kind} cannot show",
            at,
            "show the strongest examples: ... | top(8) as examples; or lay the layer's "
            "vectors out as atlas(cells=12)",
        )
        return
    ranked = any(isinstance(op, Top) for op in ops)
    problem = declared.fit_dataset(presentation, ops, ranked)
    if problem is not None:
        message, hint, where = problem
        problems.add(message, stmt.ops[0].span if where == "ops" and stmt.ops else at, hint)


AGGREGATE_EXAMPLE = "| mean(over=example), | sum(over=example), | count(over=example, top=5) or | quantile(0.9, over=example)"


def aggregated(stmt: ast.ElementStmt, content: Content, ops: tuple, problems: Problems) -> bool:
    """Whether the content's example axis is aggregated away (by the dataset pass: only
    selections of atoms, which commute with it, may come before). A graph between two
    layers over a dataset must be aggregated: the pass keeps no per-example graph."""
    index = next(
        (i for i, op in enumerate(ops) if isinstance(op, Aggregate) and op.over_examples), None
    )
    to_layer = content.kind == "attribution" and content.target.kind == "layer"  # type: ignore[union-attr]
    if index is None:
        if to_layer:
            problems.add(
                "attribution between two layers over a dataset is aggregated over its examples",
                stmt.content.span,
                f"e.g. ... over=pics) {AGGREGATE_EXAMPLE.split(', |')[0]} | top(6, per=target) as sankey",
            )
            return True
        return False
    before = ops[:index]
    commutes = (SelectAt, SelectFrom)
    at = stmt.ops[index].span if index < len(stmt.ops) else stmt.span
    if any(not isinstance(op, commutes) or getattr(op, "how", "bind") != "bind" for op in before):
        problems.add(
            f"{ops[index].how}(over=example) is computed by the dataset pass, before any "
            "operation other than select",
            at,
            f"aggregate first, then rank: ... over=pics) | {ops[index].how}(over=example) | top(6)",
        )
        return True
    if ops[index].how == "count" and content.source.atoms == "spatial":
        problems.add(
            "count(over=example) counts how often each channel is among an example's strongest, "
            "and a .spatial content ranks positions",
            at,
            "count the channels: activations(L.channels, over=pics) | count(over=example, top=5)",
        )
        return True
    if len(ops[index].over) > 1:
        problems.add(
            f"{ops[index].how}(over=example) aggregates the examples alone",
            at,
            f"aggregate other axes in a second step: | {ops[index].how}(over=example) | sum(over=channel)",
        )
    return True


def quantile_fits(stmt, content: Content, ops: tuple, problems: Problems, facts) -> None:
    """`quantile(q, over=example)` keeps every example's value per atom: refused (before any
    work) when that is more than `QUANTILE_VALUES`; needs the model's layer shapes."""
    index, op = next(
        ((i, op) for i, op in enumerate(ops) if isinstance(op, Aggregate) and op.over_examples),
        (None, None),
    )
    if op is None or op.how != "quantile" or facts is None or content.source.model is not None:
        return
    shape = facts.shapes.get(content.source.layer or "")
    target = content.target
    if not shape:
        return
    atoms = shape[0] * (
        shape[1] * shape[2] if content.source.atoms == "spatial" and len(shape) == 3 else 1
    )
    if target is not None and target.kind == "layer":
        atoms *= (facts.shapes.get(target.layer or "") or (1,))[0]
    elif target is not None:
        atoms *= max(1, len(target.labels))
    examples = _count(content.over)  # type: ignore[arg-type]
    if examples is None or examples * atoms <= QUANTILE_VALUES:
        return
    problems.add(
        f"quantile(over=example) keeps every example's value per atom: {examples:,} examples x "
        f"{atoms:,} atoms is more than {QUANTILE_VALUES:,} values",
        stmt.ops[index].span if index < len(stmt.ops) else stmt.span,
        "take it over fewer examples (limit=, where(...)) or atoms, or use mean(over=example)",
    )


def select_cells(
    ref: ast.Member, selector: Element, content: Content, axes, problems: Problems
) -> SelectFrom | None:
    """`select(atlas.hover)`: a cell's members (over the same dataset) or its direction."""
    atlas = selector.content
    name = selector.name
    same_layer = (
        content.kind == "activations"
        and content.source.kind == "layer"
        and content.source.atoms == "spatial"
        and (content.source.layer, content.source.model) == (atlas.source.layer, atlas.source.model)
    )
    if same_layer and content.over is not None and content.over == atlas.over:
        return SelectFrom(name, ref.name, (("cell", "example"),), "members")  # type: ignore[arg-type]
    if same_layer and content.over is None and any(a.name == "channel" for a in axes):
        return SelectFrom(name, ref.name, (("cell", "channel"),), "project")  # type: ignore[arg-type]
    layer = atlas.source.describe()
    problems.add(
        f"select({name}.{ref.name}): the cells of atlas {name!r} select {layer} activations, "
        f"over {atlas.over.describe() if atlas.over else 'its dataset'} or of the input",
        ref.span,
        f"e.g. activations(L.spatial, over=pics) | select({name}.{ref.name}) | top(6) as examples "
        f"(the cell's members), or activations(L.spatial) | select({name}.{ref.name}) "
        "as heatmap(over=input) (where its idea appears)",
    )
    return None
