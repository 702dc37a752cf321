"""Page assembly: elements → one Vega-Lite concat spec with cross-view params.

A page is a single spec so that a selection param defined on one element's
view can filter the others (Vega-Lite lifts params of concatenated views to
the top level). Layout follows ``PageView.layout`` (``("row"|"column",
[names or nested layouts])``); without one, elements are packed in order into
rows of at most ``ROW_WIDTH`` pixels.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from interp.execute.views import ElementView, PageView
from interp.render import context, linking, style
from interp.render.context import Built, Context
from interp.render.registry import DRAWINGS
from interp.render.style import MAX_TEXT, shorten  # noqa: F401  (MAX_TEXT: the bound `bounded` keeps)

ROW_WIDTH = context.ROW_WIDTH
_CHANNELS = ("color", "fill", "stroke", "opacity", "size")
INDEPENDENT = {kind: dict.fromkeys(_CHANNELS, "independent") for kind in ("scale", "legend")}
SPACING = 36


def validate(page: PageView) -> None:
    """Programming errors in the executor's output, caught before they become blank views."""
    by_name = {e.name: e for e in page.elements}
    if len(by_name) != len(page.elements):
        raise ValueError(f"page {page.name!r}: duplicate element names")
    for element in page.elements:
        if not context.IDENTIFIER.match(element.name):
            raise ValueError(f"element name {element.name!r} is not an identifier")
        if element.presentation not in DRAWINGS:
            raise ValueError(
                f"element {element.name!r}: unknown presentation {element.presentation!r}"
                f" (known: {', '.join(DRAWINGS)})"
            )
        for event in element.offers:
            if event not in context.EVENTS:
                raise ValueError(f"element {element.name!r} offers unknown event {event!r}")
            keyed = DRAWINGS[element.presentation].keyed_rows
            if keyed and element.key not in element.table:
                raise ValueError(
                    f"element {element.name!r} offers {event} but has no {element.key}"
                )
        for selection in element.depends_on:
            source = by_name.get(selection.element)
            if source is None or selection.event not in source.offers:
                raise ValueError(
                    f"element {element.name!r} selects on {selection.param}, which no element"
                    " of the page offers"
                )
            if selection.key not in element.table:
                raise ValueError(f"element {element.name!r} lacks the column {selection.key}")


def initial_selections(page: PageView) -> dict[str, str]:
    """Each selector's first atom, after filtering by *its* selectors' first atoms.

    So an untouched page is consistent along chains (classes → upper → footprint):
    ``upper``'s initial atom is its strongest for ``classes``' initial class.
    """
    by_name = {e.name: e for e in page.elements}
    initial: dict[str, str] = {}
    visiting: set[str] = set()

    def resolve(name: str) -> None:
        if name in initial or name not in by_name:
            return
        if name in visiting:
            raise ValueError(f"page {page.name!r}: selections form a cycle through {name!r}")
        visiting.add(name)
        element = by_name[name]
        table = selector_rows(element)
        for selection in element.depends_on:
            resolve(selection.element)
            chosen = initial.get(selection.element)
            if chosen is not None and selection.key in table:
                table = table[table[selection.key] == chosen]
        if element.offers and element.key in table and len(table):
            initial[name] = str(table[element.key].iloc[0])
        visiting.discard(name)

    for element in page.elements:
        resolve(element.name)
    return initial


def selector_rows(element: ElementView) -> pd.DataFrame:
    """The element's tidy rows (for ``image``, one per cell even when the table is empty)."""
    return DRAWINGS[element.presentation].rows(element)


def selector_labels(page: PageView) -> dict[str, dict[str, str]]:
    """For each element others select on: its keys and their atoms' labels."""
    labels = {}
    for element in page.elements:
        if not element.offers:
            continue
        table = selector_rows(element)
        if element.key in table:
            unique = table.drop_duplicates(element.key)
            labels[element.name] = dict(zip(unique[element.key], unique["atom"], strict=True))
    return labels


def dependents(page: PageView) -> dict[str, tuple[tuple[str, str], ...]]:
    """For each element others select on: the (element, event) pairs that follow it."""
    found: dict[str, list[tuple[str, str]]] = {}
    for element in page.elements:
        for selection in element.depends_on:
            found.setdefault(selection.element, []).append((element.name, selection.event))
    return {name: tuple(pairs) for name, pairs in found.items()}


def page_palette(page: PageView) -> dict[str, str]:
    """One colour per atom label that some view colours by (a ``heatmap(color=atom)``'s
    groups, a bars view's series), so every view of the page uses the same colours."""
    labels: set[str] = set()
    for element in page.elements:
        labels |= DRAWINGS[element.presentation].colored_labels(element)
    return style.palette(labels)


def atom_linker(page: PageView) -> str:
    """The first view that draws pictures of atoms another view colours by (a group's icons
    beside a ``heatmap(color=atom)``); "" when no view colours by atom."""
    coloured = {e.name: DRAWINGS[e.presentation].colored_labels(e) for e in page.elements}
    for element in page.elements:
        shown = set(element.table["atom"].astype(str)) if "atom" in element.table else set()
        others = set().union(*(labels for name, labels in coloured.items() if name != element.name))
        if DRAWINGS[element.presentation].links_atoms and shown & others:
            return element.name
    return ""


def page_body(
    page: PageView,
    *,
    prefix: str = "",
    titled: bool = True,
    row_width: float = ROW_WIDTH,
    linked: frozenset[str] = frozenset(),
) -> tuple[dict, list[dict], dict[str, list[dict]]]:
    """The page's concat spec (no top-level properties), its params, and its datasets.

    `linked`: the atom ids it shares with the other pages of a comparison (`render.linking`).

    Each element is compiled by Altair on its own; the concat and its params
    are assembled here as plain dicts (Altair's own param lifting deep-copies
    every subchart several times over).
    """
    validate(page)
    ctx = Context(
        prefix=prefix,
        initial=initial_selections(page),
        labels=selector_labels(page),
        dependents=dependents(page),
        palette=page_palette(page),
        linker=atom_linker(page),
        linked=linked,
        row_width=row_width,
    )
    params: list[dict] = linking.param(ctx)
    built = {}
    for element in page.elements:
        result = DRAWINGS[element.presentation].chart(element, ctx)
        unit = result.chart.to_dict(validate=False)
        for key in ("$schema", "config", "datasets"):
            unit.pop(key, None)
        params.extend(unit.pop("params", []))
        built[element.name] = Built(unit, result.width, result.height)
    layout = page.layout if page.layout is not None else pack(page, built, row_width)
    body = arrange(layout, built, set()).chart
    missing = [name for name in built if name not in _names(layout)]
    if missing:
        body = concat("vconcat", [body, *[built[name].chart for name in missing]])
    if titled:
        if "concat" not in body:
            body = concat("vconcat", [body])
        body = {**body, "title": page_title(page)}
    return body, params, ctx.datasets


def page_title(page: PageView) -> dict:
    parts = (page.model and f"model {page.model}", page.input and f"input {page.input}")
    result = {"text": shorten(page.title or page.name), "anchor": "start", "fontSize": 16}
    subtitle = " · ".join(part for part in parts if part)
    if subtitle:
        result["subtitle"] = subtitle
    return result


def pack(page: PageView, built: dict[str, Built], row_width: float = ROW_WIDTH) -> tuple:
    """Rows of elements in order, each row at most ``row_width`` pixels wide."""
    rows: list[list[str]] = [[]]
    width = 0.0
    for element in page.elements:
        size = built[element.name].width + SPACING
        if rows[-1] and width + size > row_width:
            rows.append([])
            width = 0.0
        rows[-1].append(element.name)
        width += size
    return ("column", [("row", row) for row in rows])


def arrange(layout, built: dict[str, Built], used: set[str]) -> Built:
    """The layout tree as nested ``hconcat``/``vconcat`` dicts, with its size."""
    if isinstance(layout, str):
        if layout not in built:
            raise ValueError(f"layout names {layout!r}, which is not an element of the page")
        if layout in used:
            raise ValueError(f"layout names {layout!r} twice")
        used.add(layout)
        return built[layout]
    direction, items = layout
    parts = [arrange(item, built, used) for item in items]
    if len(parts) == 1:
        return parts[0]
    charts = [p.chart for p in parts]
    widths, heights = [p.width for p in parts], [p.height for p in parts]
    if direction == "row":
        return Built(concat("hconcat", charts), sum(widths), max(heights))
    if direction == "column":
        return Built(concat("vconcat", charts), max(widths), sum(heights))
    raise ValueError(f"unknown layout direction {direction!r}")


def concat(direction: str, charts: list[dict], spacing: float = SPACING) -> dict:
    """Views in a row or a column, each with its own scales and legends.

    A general ``concat`` rather than ``hconcat``/``vconcat``, for ``align:
    "none"``: otherwise a column lines up its views' plot areas, pushing a row
    of views right by the width of the y-axis labels of a view below it.
    """
    columns = len(charts) if direction == "hconcat" else 1
    return {
        "concat": charts,
        "columns": columns,
        "spacing": spacing,
        "align": "none",
        "resolve": INDEPENDENT,
    }


def _names(layout) -> set[str]:
    if isinstance(layout, str):
        return {layout}
    return set().union(*(_names(item) for item in layout[1])) if layout[1] else set()


CONFIG = {
    "font": style.FONT,
    "view": {"stroke": None},
    "title": {"fontSize": 13, "subtitleColor": "#666", "subtitleFontSize": 11, "offset": 8},
    "axis": {"labelColor": "#333", "gridColor": "#eee", "domainColor": "#bbb"},
    "legend": {"labelFontSize": 10},
}


# Keys whose strings are Vega expressions, where cutting would break the program.
EXPRESSIONS = frozenset({"expr", "test", "filter", "calculate", "update", "signal"})


def bounded(value):
    """`value` (a spec or part of one) with every shown string at most `MAX_TEXT` long:
    labels in data rows and scale domains cut alike, so they still match; images
    (``data:`` URLs) and expressions are kept whole."""
    if isinstance(value, str):
        return value if value.startswith("data:") else shorten(value)
    if isinstance(value, dict):
        return {k: v if k in EXPRESSIONS else bounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [bounded(v) for v in value]
    return value


def top_level(body: dict, params: list[dict], datasets: dict, validate_schema: bool) -> dict:
    body, params, datasets = bounded(body), bounded(params), bounded(datasets)
    spec = {"$schema": alt.SCHEMA_URL, "config": CONFIG, "padding": 8, **body}
    if params:
        spec["params"] = params
    spec["datasets"] = datasets
    if validate_schema:
        from altair.utils.schemapi import validate_jsonschema

        skeleton = {**spec, "datasets": {name: [] for name in datasets}}
        validate_jsonschema(skeleton, alt.vegalite.v6.schema.core.load_schema())
    return spec


def page_spec(
    page: PageView,
    *,
    prefix: str = "",
    titled: bool = True,
    row_width: float = ROW_WIDTH,
    validate_schema: bool = False,
    linked: frozenset[str] = frozenset(),
) -> dict:
    """The page as one Vega-Lite JSON spec (what the HTML embeds, and PNG export draws)."""
    body, params, datasets = page_body(
        page, prefix=prefix, titled=titled, row_width=row_width, linked=linked
    )
    return top_level(body, params, datasets, validate_schema)
