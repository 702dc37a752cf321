"""Pictures and pixels: data URLs for images, image sizes, grid cells in pixels."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
import pandas as pd

from interp.execute.pages import STRIP_GAP
from interp.execute.views import ComparisonView, ElementView, PageView


def to_data_url(image: Any) -> str:
    """A PNG data URL from a data URL, PNG bytes, a PIL image or an HxW(x3) array."""
    if isinstance(image, str):
        return image
    if isinstance(image, (bytes, bytearray)):
        raw = bytes(image)
    else:
        from PIL import Image

        if not isinstance(image, Image.Image):
            array = np.asarray(image)
            if array.dtype.kind == "f":
                array = np.clip(array * 255.0, 0, 255).round()
            if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
                array = array.transpose(1, 2, 0)
            image = Image.fromarray(array.astype(np.uint8).squeeze())
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        raw = buffer.getvalue()
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def strip_width(icon: float, count: int) -> float:
    """The width that shows a strip of `count` pictures at `icon` pixels each."""
    return icon * (count + (count - 1) * STRIP_GAP)


def image_size(url: str) -> tuple[int, int]:
    """(width, height) of an image data URL; (1, 1) when it cannot be read."""
    try:
        from PIL import Image

        payload = url.split(",", 1)[1]
        with Image.open(io.BytesIO(base64.b64decode(payload))) as image:
            return image.size
    except Exception:
        return (1, 1)


def fit(size: tuple[int, int], longest: float) -> tuple[float, float]:
    width, height = size
    scale = longest / max(width, height, 1)
    return round(width * scale, 1), round(height * scale, 1)


def grid_shape(view: ElementView, table: pd.DataFrame) -> tuple[int, int]:
    """(height, width) in cells: ``meta["grid"]`` or the extent of ``x``/``y``."""
    if "grid" in view.meta:
        height, width = view.meta["grid"]
        return int(height), int(width)
    height = int(table["y"].max()) + 1 if len(table) else 1
    width = int(table["x"].max()) + 1 if len(table) else 1
    return height, width


def cell_boxes(
    table: pd.DataFrame, shape: tuple[int, int], box: tuple[float, float]
) -> pd.DataFrame:
    """Pixel rectangles ``_x.._x2``, ``_y.._y2`` of grid cells ``(x, y)`` stretched over ``box``."""
    grid_h, grid_w = shape
    width, height = box
    cell_w, cell_h = width / grid_w, height / grid_h
    x = table["x"].astype(float)
    y = table["y"].astype(float)
    return table.assign(_x=x * cell_w, _x2=(x + 1) * cell_w, _y=y * cell_h, _y2=(y + 1) * cell_h)


def icon_count(page: PageView | ComparisonView) -> int:
    """Distinct icons (feature visualizations, thumbnails) a page shows: data URLs in the
    icon columns of its tables (``icon``, ``source_icon``, ...)."""
    pages = page.pages if isinstance(page, ComparisonView) else (page,)
    urls: set[str] = set()
    for one in pages:
        for view in one.elements:
            for column in (c for c in view.table.columns if "icon" in str(c)):
                urls.update(u for u in view.table[column] if isinstance(u, str) and u)
    return len(urls)
