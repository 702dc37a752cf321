"""Datasets as a substrate: which images a `dataset(...)` names, and each example's pixels.

    let pics = dataset("photos/**/*.jpg", limit=500, seed=0)   # files a glob matches
    let pics = dataset(samples(), crops=256, seed=0)           # crops of the bundled photos
    let cats = pics.where(label="cat")                         # the examples of one label

Each example carries its label (`Example.category`: its folder, a CSV's row, or
its source photo; `interp.data.labels`), and `where(label=...)` keeps those of
some labels when the dataset is listed.

A :class:`DatasetSpec` is what the checker binds (plain, hashable, no pixels);
`list_examples` turns it into a :class:`Listing`: the examples in order, the
files skipped because they are not readable images, and a stamp of
everything the examples' pixels depend on (file sizes and modification
times, or the library versions of the bundled samples), which keys every
cached dataset pass. `load_example` gives one example as ``(H, W, 3)``
uint8, like every other image of the pipeline.

Files are sorted; `seed=` shuffles them first and `limit=N` keeps the first
N readable ones. `samples()` are the natural photographs that ship inside
scikit-image and scikit-learn (no download); `crops=N` draws N seeded random
square crops of them (an image uniformly, a side of 30-70% of its shorter
side, a position uniformly), a small real dataset.

From Python, `interp.datasets` lists and previews a dataset before any model
runs.
"""

from __future__ import annotations

import functools
import hashlib
import os
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image

from interp.data.images import MAX_PIXELS, ImageSpec, load_image, to_rgb_uint8
from interp.data.labels import (
    Selection,
    csv_labels,
    folder_labels,
    sample_labels,
    unknown_label,
)
from interp.data.paths import match_files
from interp.errors import Span, error

__all__ = [
    "DatasetSpec",
    "DatasetWarning",
    "Example",
    "MAX_CROPS",
    "too_many_crops",
    "Listing",
    "SAMPLE_PHOTOS",
    "list_examples",
    "example_count",
    "load_example",
]

# The natural photographs bundled with scikit-image (inside its wheel) and scikit-learn.
SKIMAGE_PHOTOS = (
    "astronaut",
    "brick",
    "camera",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "grass",
    "gravel",
    "hubble_deep_field",
    "immunohistochemistry",
    "moon",
    "retina",
    "rocket",
)
SKLEARN_PHOTOS = ("china", "flower")
SAMPLE_PHOTOS = SKIMAGE_PHOTOS + SKLEARN_PHOTOS
CROP_SIDES = (0.3, 0.7)  # a crop's side, as a share of its image's shorter side
SHOWN_NAMES = 3  # how many skipped files a report names
# The most crops a dataset may draw: each is a forward pass (and a listing entry of ~0.3 kB),
# so 100,000 is already hours of CPU work (minutes on a GPU); a larger count is surely a typo,
# refused before anything is listed. Large but legal counts are weighed by `--budget`.
MAX_CROPS = 100_000


def too_many_crops(crops: int) -> tuple[str, str] | None:
    """(message, hint) when `crops` is more than a dataset may draw; None when it is not."""
    if crops <= MAX_CROPS:
        return None
    return (
        f"dataset: crops={crops:,} is more than {MAX_CROPS:,}, the most a dataset draws",
        f"each crop is a forward pass over every model (hours at {MAX_CROPS:,} on a CPU); "
        "e.g. crops=256, and --budget SECONDS to weigh a large pass before it runs",
    )


class DatasetWarning(UserWarning):
    """Files of a dataset that were skipped (not readable images)."""


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset as a spec names it: `files` matched by `pattern` (resolved against the
    spec's folder), or the bundled `samples`; `limit`, `seed`, `crops` as in the grammar."""

    kind: Literal["files", "samples"]
    pattern: str = ""
    limit: int | None = None
    seed: int | None = None
    crops: int | None = None
    labels: str | None = None  # a CSV of path,label rows (resolved); None: folder labels
    where: Selection | None = None  # `.where(...)`: which examples are kept
    written: str = field(default="", compare=False)  # the pattern as the spec wrote it
    labels_written: str = field(default="", compare=False)  # the CSV's path as written
    span: Span | None = field(default=None, compare=False, hash=False)

    def describe(self) -> str:
        """The dataset in the language: `dataset(samples(), crops=256, seed=0)`."""
        source = "samples()" if self.kind == "samples" else f'"{self.written or self.pattern}"'
        options = [
            f"{name}={value}"
            for name, value in (("crops", self.crops), ("limit", self.limit), ("seed", self.seed))
            if value is not None
        ]
        if self.labels is not None:
            options.append(f'labels="{self.labels_written or self.labels}"')
        where = self.where.describe() if self.where is not None else ""
        return f"dataset({', '.join([source, *options])}){where}"

    @property
    def whole(self) -> DatasetSpec:
        """The dataset before its `where(...)`."""
        return replace(self, where=None)


@dataclass(frozen=True)
class Example:
    """One example: a file or a bundled photo (`source`), whole or its square crop
    `box = (left, top, side)` in pixels."""

    index: int
    source: str
    box: tuple[int, int, int] | None = None
    kind: Literal["file", "sample"] = "file"
    category: str | None = None  # its class label (folder, CSV or source photo); None: none
    crop: int | None = None  # the crop's number in the whole dataset (kept by `where`)

    @property
    def label(self) -> str:
        """Its name on a page: the file or photo, and the crop's number."""
        name = Path(self.source).name if self.kind == "file" else self.source
        number = self.index if self.crop is None else self.crop
        return name if self.box is None else f"{name} crop {number}"


@dataclass(frozen=True)
class Listing:
    """A dataset's examples in order, the files skipped, and the stamp of their pixels."""

    spec: DatasetSpec
    examples: tuple[Example, ...]
    skipped: tuple[tuple[str, str], ...]
    stamp: str

    def __len__(self) -> int:
        return len(self.examples)

    def categories(self) -> dict[str, int]:
        """How many examples each label has (sorted by label)."""
        counts: dict[str, int] = {}
        for example in self.examples:
            if example.category is not None:
                counts[example.category] = counts.get(example.category, 0) + 1
        return dict(sorted(counts.items()))


# ---- listing --------------------------------------------------------------------------


def list_examples(spec: DatasetSpec, span: Span | None = None) -> Listing:
    """The examples of `spec`; an empty or unreadable match is an InterpError at `span`.

    Files that are not readable images are skipped and reported once (a
    :class:`DatasetWarning` naming how many and the first few).
    """
    span = span or spec.span
    if spec.where is not None:
        return _selected(spec, span)
    too_many = too_many_crops(spec.crops) if spec.crops is not None else None
    if too_many is not None:
        raise error(too_many[0], span, hint=too_many[1])
    listing = _list_samples(spec) if spec.kind == "samples" else _list_files(spec, span)
    if listing.skipped and (spec, listing.stamp) not in _REPORTED:
        _REPORTED.add((spec, listing.stamp))
        names = ", ".join(Path(p).name for p, _ in listing.skipped[:SHOWN_NAMES])
        more = ", ..." if len(listing.skipped) > SHOWN_NAMES else ""
        count = len(listing.skipped)
        warnings.warn(
            f"{spec.describe()}: skipped {count} file{'s' if count != 1 else ''} that "
            f"{'are' if count != 1 else 'is'} not a readable image: {names}{more}",
            DatasetWarning,
            stacklevel=2,
        )
    return listing


def example_count(spec: DatasetSpec, span: Span | None = None) -> int:
    """How many examples `spec` has: counted from `crops=` and `limit=` without drawing the
    crops (a plan's estimate weighs a large dataset before it is listed), else listed."""
    if spec.crops is not None and spec.where is None:
        list_examples(replace(spec, crops=1, limit=None), span)  # a readable match
        return min(spec.crops, spec.limit) if spec.limit is not None else spec.crops
    return len(list_examples(spec, span))


def _selected(spec: DatasetSpec, span: Span | None) -> Listing:
    """The examples `spec.where` keeps by label (all, when it selects by the model's
    predictions only: the pass applies those); renumbered from 0."""
    whole = list_examples(spec.whole, span)
    where = spec.where
    at = where.span or span  # type: ignore[union-attr]
    present = list(whole.categories())
    if not present and (where.labels or where.correct is not None):  # type: ignore[union-attr]
        raise error(
            f"where: {spec.whole.describe()} has no labels",
            at,
            hint='label examples by folder (dataset("photos/*/*.jpg"): photos/<label>/...), '
            'by a CSV (labels="labels.csv": path,label rows), or use samples() crops',
        )
    for label in where.labels:  # type: ignore[union-attr]
        if label not in present:
            raise unknown_label(label, present, at)
    kept = [e for e in whole.examples if not where.labels or e.category in where.labels]  # type: ignore[union-attr]
    examples = tuple(
        replace(e, index=i, crop=e.index if e.box is not None else None) for i, e in enumerate(kept)
    )
    if not examples:
        raise error(f"where: {spec.describe()} keeps no examples", at)
    stamp = _digest(("where", whole.stamp, where))
    return Listing(spec, examples, whole.skipped, stamp)


_REPORTED: set[tuple[DatasetSpec, str]] = set()  # skipped files are reported once per process


@functools.lru_cache(maxsize=16)
def _list_samples(spec: DatasetSpec) -> Listing:
    photos = list(SAMPLE_PHOTOS)
    if spec.crops is not None:
        sizes = [_sample_photo(name).shape[:2] for name in photos]
        examples = _crops(photos, sizes, spec.crops, spec.seed, "sample")
    else:
        order = _shuffled(len(photos), spec.seed)
        examples = [Example(i, photos[j], None, "sample") for i, j in enumerate(order)]
    examples = examples[: spec.limit] if spec.limit is not None else examples
    if spec.labels is not None:  # a CSV of photo,label rows
        named = sample_labels(spec.labels, photos, spec.span)
        examples = [replace(e, category=named.get(e.source)) for e in examples]
    else:
        examples = [replace(e, category=e.source) for e in examples]  # by source photo
    import skimage
    import sklearn

    table = (spec.labels, *_file_stamp(spec.labels)) if spec.labels is not None else None
    stamp = _digest(("samples", skimage.__version__, sklearn.__version__, tuple(examples), table))
    return Listing(spec, tuple(examples), (), stamp)


def _list_files(spec: DatasetSpec, span: Span | None) -> Listing:
    matched = match_files(spec.pattern)
    shown = spec.written or spec.pattern
    if not matched:
        raise error(
            f"dataset {shown!r} matches no files",
            span,
            hint=f"looked for {Path(spec.pattern).absolute()}; a spec's paths are relative to its "
            'folder, and ** matches folders at any depth: dataset("photos/**/*.jpg")',
        )
    order = _shuffled(len(matched), spec.seed if spec.crops is None else None)
    wanted = spec.limit if spec.crops is None and spec.limit is not None else len(matched)
    readable: list[tuple[str, tuple[int, int]]] = []
    skipped: list[tuple[str, str]] = []
    for j in order:
        if len(readable) >= wanted:
            break
        size = _probe(matched[j])
        if isinstance(size, str):
            skipped.append((matched[j], size))
        else:
            readable.append((matched[j], size))
    if not readable:
        names = ", ".join(Path(p).name for p, _ in skipped[:SHOWN_NAMES])
        raise error(
            f"none of the {len(skipped)} files dataset {shown!r} matches is a readable image "
            f"({names}{', ...' if len(skipped) > SHOWN_NAMES else ''})",
            span,
            hint='match image files only, e.g. dataset("photos/**/*.jpg"); PNG and JPEG are read',
        )
    paths = [p for p, _ in readable]
    if spec.labels is not None:
        by_path = dict(zip(matched, csv_labels(spec.labels, matched, span), strict=True))
    else:
        by_path = dict(zip(paths, folder_labels(spec.pattern, paths), strict=True))
    if spec.crops is not None:
        examples = _crops(paths, [s for _, s in readable], spec.crops, spec.seed, "file")
        examples = examples[: spec.limit] if spec.limit is not None else examples
    else:
        examples = [Example(i, p) for i, p in enumerate(paths)]
    examples = [replace(e, category=by_path.get(e.source)) for e in examples]
    stamps = tuple((p, *_file_stamp(p)) for p in paths)
    if spec.labels is not None:
        stamps += ((spec.labels, *_file_stamp(spec.labels)),)
    return Listing(spec, tuple(examples), tuple(skipped), _digest(("files", stamps, examples)))


def _shuffled(count: int, seed: int | None) -> list[int]:
    if seed is None:
        return list(range(count))
    return np.random.default_rng(seed).permutation(count).tolist()


def _crops(
    sources: list[str], sizes: list[tuple[int, int]], count: int, seed: int | None, kind: str
) -> list[Example]:
    """`count` seeded square crops: an image uniformly, a side, a position."""
    rng = np.random.default_rng(0 if seed is None else seed)
    found = []
    for index in range(count):
        j = int(rng.integers(len(sources)))
        height, width = sizes[j]
        side = max(1, int(rng.uniform(*CROP_SIDES) * min(height, width)))
        left = int(rng.integers(0, width - side + 1))
        top = int(rng.integers(0, height - side + 1))
        found.append(Example(index, sources[j], (left, top, side), kind))  # type: ignore[arg-type]
    return found


def _probe(path: str) -> tuple[int, int] | str:
    """(height, width) from the file's header, or why it cannot be read (each file version
    probed once per process: a large folder is listed by the checker, the pass, the views)."""
    try:
        size, modified = _file_stamp(path)
    except OSError as exc:
        return f"{type(exc).__name__}: {exc}"
    return _probe_once(path, size, modified)


@functools.cache
def _probe_once(path: str, size: int, modified: int) -> tuple[int, int] | str:
    try:
        with warnings.catch_warnings():  # a decompression bomb is a skipped file, said once
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:  # what `load_image` refuses to read
                    return f"too large to read safely ({width}×{height} pixels)"
                opened.verify()
    except Exception as exc:  # PIL reports unreadable files through many exception types
        return f"{type(exc).__name__}: {exc}"
    return height, width


def _file_stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


# ---- pixels ---------------------------------------------------------------------------------


def load_example(example: Example) -> np.ndarray:
    """The example's pixels, ``(H, W, 3)`` uint8; a damaged file raises InterpError."""
    if example.kind == "sample":
        image = _sample_photo(example.source)
    else:
        image = load_image(ImageSpec("path", example.source))
    if example.box is not None:
        left, top, side = example.box
        image = image[top : top + side, left : left + side]
    return np.ascontiguousarray(image)


@functools.lru_cache(maxsize=len(SAMPLE_PHOTOS))
def _sample_photo(name: str) -> np.ndarray:
    if name in SKLEARN_PHOTOS:
        from sklearn.datasets import load_sample_image

        array = to_rgb_uint8(load_sample_image(f"{name}.jpg"))
    else:
        array = load_image(ImageSpec("sample", name))
    array.flags.writeable = False
    return array
