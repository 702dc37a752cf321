"""The plan's `View` and `Page` nodes: executed arrays → the renderer's tables (`execute.views`).

Pure functions of their inputs: the element's final array, the atoms it
offers, its icons and the input image. The presentation's table
(`execute.tables`) makes the rows; this module adds what every view shares (key
columns for selections, the input image, options, the words).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from interp.data.images import compact_data_url
from interp.execute.tables import table_of
from interp.execute.tables.base import label
from interp.execute.tables.examples import dataset_subtitle
from interp.execute.views import ATOM_ID, ATOM_ID_SEPARATOR, ElementView, PageView, Selection
from interp.execute.words import element_meta, noun
from interp.keys import is_key_column, key_column
from interp.models.spec import ModelSpec
from interp.plan import nodes
from interp.vocabulary.axes import origin_key


def element_view(node: nodes.View, inputs) -> ElementView:
    element = node.element
    tables = table_of(element.presentation.kind)
    array = inputs[node.array]
    extras = [inputs[n] for n in node.extras]
    table = tables.table(element, array, inputs[node.atoms], _icons(node, inputs), *extras)
    axes = [a.name for a in element.atom_axes]
    if node.offers:
        table[key_column(element.name)] = _keys(table, axes)
    for column in [c for c in table.columns if is_key_column(c)]:
        table[column] = table[column].astype(str)
    same = atom_ids(element, table, node.image.model)
    if same is not None:
        table[ATOM_ID] = same
    meta = {"image": compact_data_url(inputs[node.image]), **element_meta(element)}
    meta.update(describe=tables.describe(element), reading=tables.reading(element))
    meta.update(label_nouns(element, table))
    meta.update(tables.meta(element, array, table, *extras))
    said = dataset_subtitle(element)  # what a dataset made, whatever draws it
    if said is not None:
        meta.setdefault("subtitle", said)
    note = array.attrs.get("note") if hasattr(array, "attrs") else None
    if note:  # what the content could not define (a constant channel's r), said on the page
        meta["subtitle"] = f"{meta['subtitle']}; {note}" if meta.get("subtitle") else note
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
        model=inputs[node.named] if node.named is not None else node.model,
        input=node.input,
    )


def model_name(node: nodes.ModelName, inputs, ctx) -> str:
    """`mine (ResNet, 224x224 input)`: a supplied model's name, class and input size; a
    library's as the spec says it. Either says when a layer the page reads is a token
    layer, whose class tokens are not on the grid its positions are."""
    from interp.models.load import layer_table

    handle = ctx.model(node.model)
    said = node.described
    if node.model.source == "module":
        size = handle.input_size
        said = f"{node.model.name} ({type(handle.module).__name__}, {size}x{size} input)"
    tokens = [
        row for row in layer_table(handle) if row.name in node.layers and "class" in row.layout
    ]
    if tokens:
        said += "; tokens read as their patch grid, class tokens left out"
    return said


def labelled_axis(element, table: pd.DataFrame) -> str | None:
    """The atom axis whose labels the table's ``atom`` column holds (None: positions, or
    labels of no single axis)."""
    axes = [a.name for a in element.atom_axes]
    axes = [a for a in axes if a in table and a not in ("x", "y", "tx", "ty")]
    if not len(table) or "atom" not in table:
        return None
    first = table.iloc[0]
    return next((a for a in axes if label(a, first[a]) == str(first["atom"])), None)


def atom_ids(element, table: pd.DataFrame, model: ModelSpec) -> pd.Series | None:
    """Each row's atom as any page names it: ``model · layer · channel N``, when the
    ``atom`` labels are channels of a layer (the interface's `model` unless the layer names
    another). Two pages of a comparison showing one id show the same unit, so hovering it
    on one outlines it on the other (`render.linking`). An edited model's channels are its
    model's: `to_text` leaves edits out."""
    axis = labelled_axis(element, table)
    found = next((a for a in element.atom_axes if a.name == axis), None)
    if found is None or found.origin[1] != "channel":
        return None
    if any(a.origin[0] == found.origin[0] and a is not found for a in element.atom_axes):
        return None  # a neuron (a channel at a position) is not a channel
    content = element.content
    substrates = [s for s in (content.source, content.target) if s is not None]
    layer = next(
        (s for s in substrates if s.kind == "layer" and origin_key(s) == found.origin[0]), None
    )
    if layer is None:
        return None
    owner = (layer.model or model).to_text()
    return ATOM_ID_SEPARATOR.join((owner, layer.layer, "channel ")) + table[axis].astype(str)


def label_nouns(element, table: pd.DataFrame) -> dict:
    """The nouns of the table's ``atom`` and ``series`` labels, for tooltips and legends:
    the atom axis whose labels the ``atom`` column holds, and the other atom axes."""
    nouns = {a.name: noun(a.name) for a in element.atom_axes}
    axes = [a for a in nouns if a in table and a not in ("x", "y", "tx", "ty")]
    found = {}
    if len(table) and "atom" in table:
        matched = labelled_axis(element, table)
        if matched is not None:
            found["atom_noun"] = nouns[matched]
            others = [nouns[a] for a in axes if a != matched]
            if others and "series" in table:
                found["series_noun"] = ", ".join(others)
    if "atom_noun" not in found and {"x", "y"} <= set(table.columns):
        found["atom_noun"] = "position"
    return found


def _icons(node: nodes.View, inputs) -> dict:
    """Atom key -> icon data URL (`compact_data_url`), each distinct picture encoded once
    (several pictures of one atom, from `feature_vis(diversity=N)`, as one strip)."""
    if node.objectives is None:
        return {}
    pictures: dict = {}
    for batch in node.icons:
        pictures.update(inputs[batch])
    urls: dict = {}
    icons = {}
    for key, icon in inputs[node.objectives].items():
        if icon not in urls:
            urls[icon] = compact_data_url(strip(pictures[icon]))
        icons[key] = urls[icon]
    return icons


def _keys(table: pd.DataFrame, axes: list[str]) -> pd.Series:
    """Each row's atom key, as `interp.keys.atom_key` spells it for selections."""
    columns = [table[a].astype(str) for a in axes]
    keys = columns[0]
    for column in columns[1:]:
        keys = keys + "," + column
    return keys


STRIP_GAP = 1 / 16  # between the pictures of a strip, as a share of one picture's width


def strip(pictures: Any) -> np.ndarray:
    """Several pictures (``N x H x W x 3``) side by side as one, white between them;
    one picture (``H x W x 3``) as it is."""
    stack = np.asarray(pictures)
    if stack.ndim != 4:
        return stack
    count, height, width, channels = stack.shape
    gap = max(1, round(width * STRIP_GAP))
    joined = np.full((height, count * width + (count - 1) * gap, channels), 255, stack.dtype)
    for index, picture in enumerate(stack):
        joined[:, index * (width + gap) : index * (width + gap) + width] = picture
    return joined
