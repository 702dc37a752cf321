"""Each example's class label: its folder, a CSV, or its source photo; and `where` filters.

    let pics = dataset("photos/*/*.jpg")                    # photos/<label>/x.jpg (ImageFolder)
    let pics = dataset("photos/**/*.jpg", labels="labels.csv")   # rows: path,label
    let pics = dataset(samples(), crops=64, seed=0)         # a crop's label: its source photo
    let cats = pics.where(label="cat")                      # or label=["cat", "dog"]

Folder labels follow torchvision's `ImageFolder`: the root is the part of the
glob before its first wildcard, and an example's label is the name of the
folder directly under that root it lies in (a file directly in the root has
no label). A CSV's rows are `path,label` (an optional header `path,label` is
skipped); its paths are relative to the CSV's folder, or absolute. A CSV path
that is no file of the dataset's glob, a path named twice, or a missing CSV is
an error at the `dataset(...)` that names it. For `samples()`, a CSV's rows are
`photo,label` (`chelsea,Egyptian cat`): its labels replace the photos' names,
so they can name the model's classes (`where(correct=false)`).

`where(label=...)` is applied when the dataset is listed; `where(predicted=...)`
and `where(correct=...)` need the model's predictions and are applied by the
dataset pass (`Selection.by_model`).
"""

from __future__ import annotations

import csv
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from interp.errors import Span, did_you_mean, error

__all__ = ["Selection", "csv_labels", "folder_labels", "sample_labels", "unknown_label"]


@dataclass(frozen=True)
class Selection:
    """`where(...)`: `labels` keeps examples whose label is one of them; `predicted` those the
    model's top-1 class is one of; `correct` those it classifies rightly (or wrongly)."""

    labels: tuple[str, ...] = ()
    predicted: tuple[str, ...] = ()
    correct: bool | None = None
    span: Span | None = field(default=None, compare=False, hash=False)

    @property
    def by_model(self) -> bool:
        """Whether the selection needs the model's predictions (applied in the pass)."""
        return bool(self.predicted) or self.correct is not None

    def describe(self) -> str:
        def one(values: tuple[str, ...]) -> str:
            quoted = [f'"{v}"' for v in values]
            return quoted[0] if len(quoted) == 1 else "[" + ", ".join(quoted) + "]"

        parts = []
        if self.labels:
            parts.append(f"label={one(self.labels)}")
        if self.predicted:
            parts.append(f"predicted={one(self.predicted)}")
        if self.correct is not None:
            parts.append(f"correct={'true' if self.correct else 'false'}")
        return f".where({', '.join(parts)})"

    def keeps(self, label: str | None, predicted: str) -> bool:
        """Whether an example with `label`, predicted as `predicted`, is selected (by the model part)."""
        if self.predicted and predicted not in self.predicted:
            return False
        if self.correct is not None and (label is None or (label == predicted) != self.correct):
            return False  # an example without a label is neither right nor wrong
        return True


def folder_labels(pattern: str, paths: list[str]) -> list[str | None]:
    """Each path's folder directly under the glob's root (ImageFolder's class), or None."""
    root = _root(pattern)
    found: list[str | None] = []
    for path in paths:
        relative = os.path.relpath(path, root or os.curdir).split(os.sep)
        found.append(relative[0] if len(relative) > 1 and relative[0] != os.pardir else None)
    return found


def _root(pattern: str) -> str:
    parts = pattern.split(os.sep)
    for i, part in enumerate(parts):
        if glob.has_magic(part):
            return os.sep.join(parts[:i]) or ("/" if pattern.startswith("/") else "")
    return os.path.dirname(pattern)


def csv_labels(table: str, paths: list[str], span: Span | None) -> list[str | None]:
    """Each path's label from the CSV `table` (None: the CSV does not name it)."""
    source = Path(table)
    known = {os.path.realpath(p): i for i, p in enumerate(paths)}
    labels: list[str | None] = [None] * len(paths)
    for line, written, label in _rows(source, span):
        path = written if os.path.isabs(written) else str(source.parent / written)
        real = os.path.realpath(path)
        if real not in known:
            raise error(
                f"dataset: {source.name} line {line} names {written!r}, which is not a file "
                "of the dataset's glob",
                span,
                hint=f"paths are relative to the CSV's folder ({source.parent}) or absolute",
            )
        labels[known[real]] = label
    return labels


def sample_labels(table: str, names: list[str], span: Span | None) -> dict[str, str]:
    """The bundled photos' labels from the CSV `table`, whose rows are `photo,label`."""
    found = {}
    for line, written, label in _rows(Path(table), span):
        if written not in names:
            raise error(
                f"dataset: {Path(table).name} line {line} names {written!r}, which is not a "
                "bundled photo",
                span,
                hint=did_you_mean(written, names),
            )
        found[written] = label
    return found


def _rows(source: Path, span: Span | None):
    """(line, path as written, label) of each row; a missing file, a malformed row or a
    path named twice is an error at `span`."""
    if not source.is_file():
        raise error(
            f"dataset: labels file {str(source)!r} does not exist",
            span,
            hint="labels= names a CSV of path,label rows, relative to the spec's folder",
        )
    seen: dict[str, int] = {}
    with source.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.reader(handle), start=1):
            header = [c.strip().lower() for c in row] in (["path", "label"], ["photo", "label"])
            if not row or (line == 1 and header):
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise error(
                    f"dataset: {source.name} line {line} is not a path,label row: {','.join(row)!r}",
                    span,
                    hint="each row is path,label, e.g. cats/1.jpg,cat",
                )
            written, label = row[0].strip(), row[1].strip()
            key = os.path.realpath(written if os.path.isabs(written) else source.parent / written)
            if key in seen:
                raise error(
                    f"dataset: {source.name} names {written!r} twice (lines {seen[key]} and {line})",
                    span,
                    hint="give each file one label",
                )
            seen[key] = line
            yield line, written, label


def unknown_label(label: str, present: list[str], span: Span | None, what: str = "label"):
    """The error for `where(label=...)` naming a label no example has."""
    shown = ", ".join(repr(p) for p in present[:20]) + (", ..." if len(present) > 20 else "")
    close = did_you_mean(label, present)
    lead = close + " " if close.startswith("did you mean") else ""
    return error(
        f"where: no example has {what} {label!r}", span, hint=f"{lead}the labels here: {shown}"
    )
