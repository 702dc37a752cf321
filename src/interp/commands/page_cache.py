"""Whole rendered pages, cached by what they depend on, so a re-render is instant.

The key is computed without importing torch: the spec's canonical text, the
files it names (weights, images, every file a dataset's glob matches) by size
and modification time, the quality,
and the versions of interp and of the libraries that compute the numbers. A
hit writes the stored outputs and skips the whole pipeline.

Outputs are restored as one set through :func:`interp.files.write_all`: each
through a temporary of its own (concurrent restores to one target do not
collide), cleaned up on an interrupt, and never a new file beside a stale one.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from interp.cache import Cache
from interp.check.inputs import spec_inputs
from interp.files import write_all
from interp.syntax import ast
from interp.vocabulary.families import DISTRIBUTIONS

LIBRARIES = (
    "interp",
    *DISTRIBUTIONS,  # every model family's libraries, and the built-ins' weights
    "scikit-learn",
    "scikit-image",  # the sample images, and the photos of dataset(samples())
    "umap-learn",  # atlas layouts
    "altair",
    "vl-convert-python",
)


def page_key(spec: ast.Spec, spec_dir: Path, **options: object) -> tuple:
    return (
        "page",
        spec.to_text(),
        _file_stamps(spec, spec_dir),
        _versions(),
        _source_stamp(),
        sorted(options.items()),
    )


def _source_stamp() -> tuple[int, int]:
    """(file count, newest modification) of interp's own source: an edited checkout (an
    editable install keeps its version) makes new pages, not the old code's."""
    package = Path(__file__).resolve().parents[1]
    stamps = [p.stat().st_mtime_ns for p in package.rglob("*") if p.suffix in (".py", ".lark")]
    return len(stamps), max(stamps, default=0)


def _versions() -> tuple:
    found = []
    for name in LIBRARIES:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _file_stamps(spec: ast.Spec, spec_dir: Path) -> tuple:
    """(path, size, mtime) of every file the spec reads: an added, removed or edited
    photo, weight or label file is a new page."""
    stamps = []
    for path in spec_inputs(spec, spec_dir):
        stat = path.stat()
        stamps.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def restore(cache: Cache, key: tuple, outputs: dict[str, Path | None]) -> bool:
    """Write every requested output from the cache; False (writing nothing) on any miss."""
    stored = {kind: cache.get((*key, kind)) for kind, path in outputs.items() if path is not None}
    if not stored or any(not isinstance(value, bytes) for value in stored.values()):
        return False
    write_all({outputs[kind]: value for kind, value in stored.items()})  # type: ignore[misc]
    return True


def store(
    cache: Cache, key: tuple, outputs: dict[str, Path | None], icons: dict[str, int] | None = None
) -> None:
    """Keep every written output, and each page's icon count (`icons`, by output kind)."""
    for kind, path in outputs.items():
        if path is not None and path.is_file():
            cache.put((*key, kind), path.read_bytes())
    cache.put((*key, "icons"), dict(icons or {}))


def icons(cache: Cache, key: tuple) -> dict[str, int]:
    """The icon counts `store` kept with the outputs (empty when it kept none)."""
    found = cache.get((*key, "icons"))
    return {str(k): int(v) for k, v in found.items()} if isinstance(found, dict) else {}
