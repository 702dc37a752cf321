"""The plan's `View` and `Page` nodes: executed arrays → the renderer's tables (`render.views`).

Pure functions of their inputs: the element's final array, the atoms it
offers, its icons and the input image. The presentation class makes the
table; this module adds what every view shares (key columns for selections,
the input image, options).
"""

from __future__ import annotations

import pandas as pd

from interp.data.images import to_data_url
from interp.keys import is_key_column, key_column
from interp.plan import nodes
from interp.render.examples import dataset_subtitle
from interp.render.registry import PRESENTATIONS
from interp.render.views import ElementView, PageView, Selection


def element_view(node: nodes.View, inputs) -> ElementView:
    element = node.element
    presentation = PRESENTATIONS[element.presentation.kind]
    array = inputs[node.array]
    extras = [inputs[n] for n in node.extras]
    table = presentation.table(element, array, inputs[node.atoms], _icons(node, inputs), *extras)
    axes = [a.name for a in element.atom_axes]
    if node.offers:
        table[key_column(element.name)] = _keys(table, axes)
    for column in [c for c in table.columns if is_key_column(c)]:
        table[column] = table[column].astype(str)
    meta = {"image": to_data_url(inputs[node.image])}
    meta.update(presentation.meta(element, array, table, *extras))
    said = dataset_subtitle(element)  # what a dataset made, whatever draws it
    if said is not None:
        meta.setdefault("subtitle", said)
    options = {
        k: (v.describe() if hasattr(v, "describe") else v) for k, v in element.presentation.options
    }
    return ElementView(
        name=element.name,
        presentation=element.presentation.kind,
        options=options,
        table=table.reset_index(drop=True),
        depends_on=tuple(Selection(s.element, s.event) for s in element.selections),
        offers=node.offers,
        meta=meta,
    )


def page(node: nodes.Page, inputs) -> PageView:
    return PageView(
        name=node.name,
        title=node.title,
        elements=tuple(inputs[v] for v in node.views),
        layout=node.layout,
        model=node.model,
        input=node.input,
    )


def _icons(node: nodes.View, inputs) -> dict:
    """Atom key -> icon data URL, each distinct picture encoded once."""
    if node.objectives is None:
        return {}
    pictures: dict = {}
    for batch in node.icons:
        pictures.update(inputs[batch])
    urls: dict = {}
    icons = {}
    for key, icon in inputs[node.objectives].items():
        if icon not in urls:
            urls[icon] = to_data_url(pictures[icon])
        icons[key] = urls[icon]
    return icons


def _keys(table: pd.DataFrame, axes: list[str]) -> pd.Series:
    """Each row's atom key, as `interp.keys.atom_key` spells it for selections."""
    columns = [table[a].astype(str) for a in axes]
    keys = columns[0]
    for column in columns[1:]:
        keys = keys + "," + column
    return keys
