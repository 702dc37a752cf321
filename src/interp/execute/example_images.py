"""The `ExampleImages` node: thumbnails of the dataset examples an element keeps.

An example is shown as the model sees it (its crop at the model's input
size). For a `.spatial` content the thumbnail is the part of it around the
example's strongest position, sized by the layer's receptive field, with
that unit's own cell marked; otherwise the whole example.

The receptive field is measured on the model, not read from a table
(`models.receptive`): a thumbnail shows the *effective* field, the square
holding nearly all of the unit's gradient (the theoretical field of a deep
layer often covers the whole input).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from interp.data.datasets import list_examples, load_example
from interp.data.images import to_data_url
from interp.execute.context import RunContext
from interp.models.receptive import ReceptiveField, receptive_field
from interp.plan import nodes


def _centre(cell: int, cells: int, size: int) -> float:
    """The input pixel at the centre of cell `cell` of `cells` across `size` pixels."""
    return (cell + 0.5) * size / cells


def example_images(node: nodes.ExampleImages, inputs, ctx: RunContext) -> dict:
    """(example, x, y) -> {"url": JPEG data URL, "mark": (x0, y0, x1, y1) in [0, 1] or None}."""
    from interp.execute.ops import content_array

    array = content_array(inputs[node.array])
    examples = list_examples(node.dataset).examples
    handle = ctx.model(node.model)
    field = receptive_field(handle, node.layer) if node.layer else None
    found = {}
    for example, x, y in shown(array):
        view = handle.crop(load_example(examples[example]))
        found[(example, x, y)] = thumbnail(view, x, y, field, node.size)
    return found


def shown(array) -> list[tuple[int, int, int]]:
    """The (example, x, y) an element's array holds a value for (x = y = -1: no position)."""
    frame = array.to_dataframe(name="value").reset_index().dropna(subset=["value"])
    if "example" not in frame:
        return []
    xs = frame["x"].fillna(-1).astype(int) if "x" in frame else [-1] * len(frame)
    ys = frame["y"].fillna(-1).astype(int) if "y" in frame else [-1] * len(frame)
    triples = zip(frame["example"].astype(int).tolist(), list(xs), list(ys), strict=True)
    return list(dict.fromkeys((int(e), int(x), int(y)) for e, x, y in triples))


def thumbnail(view: np.ndarray, x: int, y: int, field: ReceptiveField | None, size: int) -> dict:
    """The model's view of an example, cropped to the field around `(x, y)` when there is one."""
    side_pixels = view.shape[0]
    if field is None or x < 0:
        picture = Image.fromarray(view).resize((size, size), Image.BILINEAR)
        return {"url": to_data_url(np.asarray(picture), "jpeg"), "mark": None}
    height, width = field.grid
    cx, cy = _centre(x, width, side_pixels), _centre(y, height, side_pixels)
    side = min(side_pixels, field.effective)
    left = int(round(np.clip(cx - side / 2, 0, side_pixels - side)))
    top = int(round(np.clip(cy - side / 2, 0, side_pixels - side)))
    crop = Image.fromarray(view[top : top + side, left : left + side]).resize((size, size))
    cell_w, cell_h = side_pixels / width, side_pixels / height
    mark = (
        (cx - cell_w / 2 - left) / side,
        (cy - cell_h / 2 - top) / side,
        (cx + cell_w / 2 - left) / side,
        (cy + cell_h / 2 - top) / side,
    )
    return {"url": to_data_url(np.asarray(crop), "jpeg"), "mark": tuple(float(v) for v in mark)}
