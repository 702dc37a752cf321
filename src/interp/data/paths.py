"""Where a path written in a spec points: relative to the spec file's folder.

A spec that says `input "cat.png"` or `weights="ft.pth"` means the file beside
it, whatever the working directory is. The parser records each value's file in
its span; a spec built in Python (no file) keeps its paths as written, so they
resolve from the working directory.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from pathlib import Path

from interp.errors import Span


def spec_folder(span: Span | None) -> Path | None:
    """The folder of the file `span` is in; None for text that came from no file."""
    if span is None or not span.file or span.file.startswith("<"):
        return None
    return Path(span.file).parent


def resolve_path(path: str, span: Span | None) -> str:
    """`path` as written at `span`, joined to the spec file's folder when relative."""
    written = Path(path).expanduser()
    folder = spec_folder(span)
    if written.is_absolute() or folder is None:
        return str(written)
    return str(folder / written)


def match_files(pattern: str) -> list[str]:
    """The files `pattern` matches (``**``: any depth), sorted, each file once.

    Python's glob follows symbolic links, so a link back up the tree it is in
    (``photos/again -> ..``) would list every photo once per trip round the loop,
    and two such links make the walk explode. Here a ``**`` walk enters each real
    folder once (by device and inode), whichever link it is reached by, so a file
    is listed once, by the first path that reaches it; links out of the tree are
    followed as usual.
    """
    if "**" not in pattern:
        matches = (p for p in glob.glob(pattern) if os.path.isfile(p))
        return _once(sorted(matches))
    root, segments = _split(pattern)
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    for folder, subfolders, files in os.walk(root or os.curdir, followlinks=True):
        subfolders.sort()
        try:
            info = os.stat(folder)
        except OSError:
            subfolders[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen:
            subfolders[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        relative = os.path.relpath(folder, root or os.curdir)
        parts = [] if relative == os.curdir else relative.split(os.sep)
        for name in files:
            if _matches(segments, [*parts, name]):
                found.append(os.path.join(root, *parts, name))
    return _once(sorted(found))


def _once(paths: list[str]) -> list[str]:
    """`paths` with each real file kept once (its first path)."""
    seen: set[str] = set()
    kept = []
    for path in paths:
        real = os.path.realpath(path)
        if real not in seen:
            seen.add(real)
            kept.append(path)
    return kept


def _split(pattern: str) -> tuple[str, list[str]]:
    """The folders of `pattern` before its first wildcard, and the segments after them."""
    parts = pattern.split(os.sep)
    for i, part in enumerate(parts):
        if glob.has_magic(part):
            return os.sep.join(parts[:i]) or ("/" if pattern.startswith("/") else ""), parts[i:]
    return os.path.dirname(pattern), [os.path.basename(pattern)]


def _matches(segments: list[str], parts: list[str]) -> bool:
    """Whether path `parts` match glob `segments` (``**`` any number of folders; a
    wildcard does not match a hidden name, as in glob)."""
    if not segments:
        return not parts
    head, rest = segments[0], segments[1:]
    if head == "**":
        return any(_matches(rest, parts[i:]) for i in range(len(parts) + 1)) and all(
            not p.startswith(".") for p in parts[: len(parts) - len(rest)]
        )
    if not parts:
        return False
    if parts[0].startswith(".") and not head.startswith("."):
        return False
    return fnmatch.fnmatchcase(parts[0], head) and _matches(rest, parts[1:])
