"""Where a path written in a spec points: relative to the spec file's folder.

A spec that says `input "cat.png"` or `weights="ft.pth"` means the file beside
it, whatever the working directory is. The parser records each value's file in
its span; a spec built in Python (no file) keeps its paths as written, so they
resolve from the working directory.
"""

from __future__ import annotations

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
