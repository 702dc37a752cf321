"""`interp.datasets`: a dataset from Python, listed and previewed before any model runs.

    import interp
    pics = interp.datasets.dataset("photos/**/*.jpg", limit=64)   # or dataset(samples(), crops=256)
    len(pics); pics.examples()      # one row per example: source, label, crop box
    pics.image(0)                   # its pixels, (H, W, 3) uint8
    pics.preview()                  # a contact sheet (a PIL image); Jupyter shows the dataset
    pics.counts()                   # how many examples each label has (folder, CSV or source photo)
    pics.where(label="cat")         # the examples of one label (or a list of labels)

The same datasets a spec names with `let pics = dataset(...)`
(`interp.data.datasets`); a relative glob is read from the working directory.
"""

from __future__ import annotations

import functools
import html
import io
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from interp.data.datasets import DatasetSpec, Listing, list_examples, load_example
from interp.data.images import to_data_url
from interp.data.labels import Selection
from interp.errors import error

__all__ = ["Dataset", "dataset", "samples"]


class _Samples:
    """`samples()`: the bundled photographs, as a dataset's source."""

    def __repr__(self) -> str:
        return "samples()"


def samples() -> _Samples:
    """The bundled natural photographs (scikit-image, scikit-learn) as a dataset's source."""
    return _Samples()


class Dataset:
    """A dataset from Python: its examples listed, any one loaded, a contact sheet."""

    def __init__(self, spec: DatasetSpec):
        self.spec = spec

    @functools.cached_property
    def listing(self) -> Listing:
        return list_examples(self.spec)

    def __len__(self) -> int:
        return len(self.listing)

    def __repr__(self) -> str:
        counts = self.listing.categories()
        shown = ", ".join(f"{label}: {n}" for label, n in list(counts.items())[:12])
        more = ", ..." if len(counts) > 12 else ""
        plural = "s" if len(counts) != 1 else ""
        labels = f"; {len(counts)} label{plural} ({shown}{more})" if counts else ""
        return f"<{self.spec.describe()}: {len(self)} examples{labels}>"

    def counts(self):
        """How many examples each label has: a pandas Series indexed by label."""
        import pandas as pd

        counts = self.listing.categories()
        return pd.Series(counts, name="examples", dtype="int64").rename_axis("label")

    def where(self, *, label: str | list[str]) -> Dataset:
        """The examples whose label is `label` (or one of a list), as `D.where(label=...)`;
        selecting by the model's predictions needs a model: write it in a spec."""
        labels = (label,) if isinstance(label, str) else tuple(label)
        return Dataset(replace(self.spec, where=Selection(labels)))

    def examples(self):
        """One row per example: `example`, `source`, `label` (its name), `class` (its label:
        folder, CSV or source photo), crop `left`, `top`, `side`."""
        import pandas as pd

        rows = []
        for e in self.listing.examples:
            left, top, side = e.box if e.box is not None else (None, None, None)
            rows.append(
                {
                    "example": e.index,
                    "source": e.source,
                    "label": e.label,
                    "left": left,
                    "top": top,
                    "side": side,
                    "class": e.category,
                }
            )
        return pd.DataFrame(rows)

    def image(self, index: int) -> np.ndarray:
        """Example `index` as ``(H, W, 3)`` uint8."""
        return load_example(self.listing.examples[index])

    def preview(self, count: int = 16, size: int = 96, columns: int = 8) -> Image.Image:
        """The first `count` examples as a contact sheet, `size` pixels a side each."""
        shown = self.listing.examples[:count]
        rows = max(1, -(-len(shown) // columns))
        sheet = Image.new("RGB", (columns * size, rows * size), "white")
        for i, example in enumerate(shown):
            tile = square_thumbnail(load_example(example), size)
            sheet.paste(Image.fromarray(tile), ((i % columns) * size, (i // columns) * size))
        return sheet

    def _repr_html_(self) -> str:
        buffer = io.BytesIO()
        self.preview().save(buffer, format="JPEG", quality=85)
        image = to_data_url(np.asarray(Image.open(buffer).convert("RGB")), "jpeg")
        title = html.escape(repr(self))
        rows = "".join(
            f"<tr><td>{html.escape(label)}</td><td>{n}</td></tr>"
            for label, n in self.listing.categories().items()
        )
        table = f"<table><tr><th>label</th><th>examples</th></tr>{rows}</table>" if rows else ""
        return f'<div><p><code>{title}</code></p>{table}<img src="{image}"/></div>'


def dataset(
    source: str | os.PathLike | _Samples,
    *,
    limit: int | None = None,
    seed: int | None = None,
    crops: int | None = None,
    labels: str | os.PathLike | None = None,
) -> Dataset:
    """`dataset("photos/**/*.jpg", limit=N, seed=S)` or `dataset(samples(), crops=N, seed=S)`
    from Python (a relative glob is read from the working directory); `labels=` a CSV of
    path,label rows (else each example's label is its folder, or its source photo)."""
    for name, value in (("limit", limit), ("crops", crops)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise error(f"dataset: {name} must be a positive integer, not {value!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise error(f"dataset: seed must be a non-negative integer, not {seed!r}")
    if isinstance(source, _Samples):
        table = None if labels is None else str(Path(labels).expanduser())
        spec = DatasetSpec("samples", limit=limit, seed=seed, crops=crops, labels=table)
        return Dataset(replace(spec, labels_written=str(labels or "")))
    if not isinstance(source, (str, os.PathLike)):
        raise error(
            f"dataset takes a glob or samples(), not {type(source).__name__}",
            hint='dataset("photos/**/*.jpg") or dataset(samples(), crops=256, seed=0)',
        )
    pattern = str(Path(source).expanduser())
    table = None if labels is None else str(Path(labels).expanduser())
    return Dataset(
        DatasetSpec(
            "files",
            pattern,
            limit,
            seed,
            crops,
            labels=table,
            written=str(source),
            labels_written=str(labels or ""),
        )
    )


def square_thumbnail(image: np.ndarray, size: int) -> np.ndarray:
    """The image's centre square, resized to `size` pixels a side."""
    height, width = image.shape[:2]
    side = min(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = Image.fromarray(image[top : top + side, left : left + side])
    return np.asarray(square.resize((size, size), Image.BILINEAR))
