"""The `ExampleImages` node: thumbnails of the dataset examples an element keeps.

An example is shown as the model sees it (its crop at the model's input
size). For a `.spatial` content the thumbnail is the part of it around the
example's strongest position, sized by the layer's receptive field, with
that unit's own cell marked; otherwise the whole example.

The receptive field is measured on the model, not read from a table: the
gradient of one unit at the centre of the layer's grid with respect to the
input pixels (over a few seeded noise images) is non-zero over the
*theoretical* field; the smallest square around the gradient's centre of mass
holding `EFFECTIVE_SHARE` of its mass is the *effective* field, which is
what a thumbnail shows (the theoretical field of a deep layer often covers
the whole input).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from interp.data.datasets import list_examples, load_example
from interp.data.images import to_data_url
from interp.execute.context import RunContext
from interp.execute.hooks import capture, run_until
from interp.models.load import ModelHandle
from interp.plan import nodes

EFFECTIVE_SHARE = 0.9
PROBES = 4  # noise images the gradient is averaged over


@dataclass(frozen=True)
class ReceptiveField:
    """A layer's receptive field in input pixels: `theoretical` and `effective` sides, and the
    layer's grid `(height, width)` (the stride is the input size over it)."""

    theoretical: int
    effective: int
    grid: tuple[int, int]


def receptive_field(handle: ModelHandle, layer: str) -> ReceptiveField:
    return _receptive_field(handle, layer)


@functools.lru_cache(maxsize=32)
def _receptive_field(handle: ModelHandle, layer: str) -> ReceptiveField:
    size = handle.input_size
    generator = torch.Generator().manual_seed(0)
    pixels = torch.rand(PROBES, 3, size, size, generator=generator).to(handle.device)
    image = handle.normalize(pixels).requires_grad_(True)
    with torch.enable_grad(), capture(handle.module, [layer], stop_after=layer) as recorded:
        run_until(handle.module, image)
        output = recorded[layer]
        height, width = output.shape[2:]
        output[:, :, height // 2, width // 2].sum().backward()
    mass = image.grad.abs().sum(dim=(0, 1)).cpu().numpy().astype(np.float64)
    rows, columns = np.nonzero(mass > mass.max() * 1e-9)
    theoretical = int(max(rows.max() - rows.min(), columns.max() - columns.min()) + 1)
    total, half = mass.sum(), 0
    cy = int(round((mass.sum(axis=1) * np.arange(size)).sum() / total))  # the mass's centre
    cx = int(round((mass.sum(axis=0) * np.arange(size)).sum() / total))
    while 2 * half + 1 < theoretical:
        box = mass[max(0, cy - half) : cy + half + 1, max(0, cx - half) : cx + half + 1]
        if box.sum() >= EFFECTIVE_SHARE * total:
            break
        half += 1
    effective = min(size, theoretical, 2 * half + 1)
    return ReceptiveField(theoretical, effective, (int(height), int(width)))


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
