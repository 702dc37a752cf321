"""The files a spec reads: its images, weights, label files and every file a dataset's glob matches.

Two users: the page cache stamps them (an edited photo is a new page), and the
commands that write refuse an output that is one of them. Static: no torch;
relative paths are the spec folder's, as the checker reads them.
"""

from __future__ import annotations

from pathlib import Path

from interp.check.models import layer_refs
from interp.data.paths import match_files
from interp.syntax import ast

__all__ = ["spec_inputs"]


def spec_inputs(spec: ast.Spec, spec_dir: Path) -> list[Path]:
    """Every existing file the spec names (resolved, in spec order, each once)."""
    found: dict[Path, None] = {}
    for interface in spec.interfaces:
        refs = [s.ref for s in interface.body if isinstance(s, ast.ModelStmt | ast.InputStmt)]
        refs += [e for s in interface.body if isinstance(s, ast.ModelStmt) for e in s.edits]
        refs += [  # ablation(..., to=input("other.jpg")): a patch image
            arg.value
            for s in interface.body
            if isinstance(s, ast.ElementStmt) and isinstance(s.content, ast.Ablation)
            for arg in s.content.options
        ]
        refs += [layer.model for layer in layer_refs(interface) if layer.model is not None]
        for text in (text for ref in refs for text in _strings(ref)):
            path = _under(spec_dir, text)
            if path.is_file():
                found[path.resolve()] = None
        for let in (s for s in interface.body if isinstance(s, ast.LetStmt)):
            found.update(dict.fromkeys(_dataset_files(let.value, spec_dir)))
    return list(found)


def _under(spec_dir: Path, text: str) -> Path:
    path = Path(text).expanduser()
    return path if path.is_absolute() else spec_dir / path


def _dataset_files(value: ast.Node, spec_dir: Path) -> list[Path]:
    """Every file a `dataset("glob", ...)` matches, and any other file its arguments name."""
    if not (isinstance(value, ast.Call) and value.name == "dataset" and value.args):
        return []
    first = value.args[0].value
    files: list[Path] = []
    if isinstance(first, ast.Str):  # samples(): the libraries' versions stand for their photos
        files = [Path(p).resolve() for p in match_files(str(_under(spec_dir, first.value)))]
    for arg in value.args[1:]:
        for text in _strings(arg.value):
            path = _under(spec_dir, text)
            if path.is_file():
                files.append(path.resolve())
    return files


def _strings(value: ast.Node) -> list[str]:
    if isinstance(value, ast.Str):
        return [value.value]
    if isinstance(value, ast.Call):
        return [s for arg in value.args for s in _strings(arg.value)]
    return []  # an edit's patch image is a Call too: ablate(..., to=input("other.jpg"))
