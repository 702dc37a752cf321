"""Local files a model loads from: weights (state dicts) and class labels.

A weights file is read with `weights_only=True` (or as safetensors), so a
pickled payload is refused rather than run. What is read must be a state
dict: string keys, finite tensors. Every way a file can be wrong is a user
error that names the file and says how to save a good one.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

from interp.errors import error
from interp.models.spec import ModelSpec
from interp.vocabulary.families import LIBRARY_FAMILIES

_SAVE_HINT = "save a state dict: torch.save(model.state_dict(), PATH)"


def file_stamp(path: Path, what: str, hint: str) -> tuple[str, int, int]:
    """A file's identity (path, mtime, size), so an edited file is reloaded; missing: an error."""
    if not path.is_file():
        raise error(f"no such {what} file: {path}", hint=f"{hint}; looked for {path.absolute()}")
    stat = path.stat()
    return (str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def read_state(path: Path) -> dict[str, torch.Tensor]:
    """The state dict in `path`: string keys to finite tensors, `module.` prefixes dropped."""
    try:
        if path.suffix == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # any unreadable file is the user's to fix
        raise error(
            f"cannot read weights file {path}: {type(exc).__name__}",
            hint=f"{_SAVE_HINT} (whole pickled modules are not loaded)",
        ) from None
    for wrapper in ("state_dict", "model"):
        if isinstance(state, Mapping) and isinstance(state.get(wrapper), Mapping):
            state = state[wrapper]
    if not isinstance(state, Mapping):
        raise error(
            f"weights file {path} holds a {type(state).__name__}, not a state dict",
            hint=_SAVE_HINT,
        )
    keys = [key for key in state if not isinstance(key, str)]
    if keys:
        raise error(
            f"weights file {path} has keys that are not parameter names: {_some(map(repr, keys))}",
            hint=f"a state dict maps names (strings) to tensors; {_SAVE_HINT}",
        )
    values = [key for key, value in state.items() if not isinstance(value, torch.Tensor)]
    if values:
        raise error(
            f"weights file {path} holds values that are not tensors: {_some(values)}",
            hint=_SAVE_HINT,
        )
    broken = [
        key
        for key, value in state.items()
        if (value.is_floating_point() or value.is_complex()) and not bool(value.isfinite().all())
    ]
    if broken:
        raise error(
            f"weights file {path} holds NaN or infinite values in {_some(broken)}",
            hint="the checkpoint is damaged or its training diverged; save finite weights",
        )
    return {key.removeprefix("module."): value for key, value in state.items()}


def read_labels(path: Path) -> tuple[str, ...]:
    """Class names from a text file, one per line (blank lines skipped)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(
            f"no such labels file: {path}",
            hint=f"a text file with one class name per line; looked for {path.absolute()}",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(
            f"cannot read labels file {path}: {type(exc).__name__}",
            hint="a UTF-8 text file with one class name per line",
        ) from None
    lines = {number: line.strip() for number, line in enumerate(text.splitlines(), 1)}
    labels = tuple(label for label in lines.values() if label)
    if not labels:
        raise error(f"labels file {path} names no classes", hint="write one class name per line")
    first: dict[str, int] = {}
    for number, label in lines.items():
        if label and first.setdefault(label, number) != number:
            raise error(
                f"labels file {path} names class {label!r} twice: lines {first[label]} and {number}",
                hint="each line names one class, in the order of the model's outputs; each name once",
            )
    return labels


def head_classes(expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> int:
    """How many classes the checkpoint's head has, by comparing it with a 1000-class build.

    The head is every tensor that has 1000 rows in the ImageNet build and agrees with
    the checkpoint in every other dimension; a checkpoint with no such difference
    (or an inconsistent one) keeps 1000, and loading then names the misfits.
    """
    rows = {
        state[key].shape[0]
        for key, want in expected.items()
        if want.ndim >= 1
        and want.shape[0] == 1000
        and key in state
        and state[key].ndim == want.ndim
        and state[key].shape[1:] == want.shape[1:]
    }
    return rows.pop() if len(rows) == 1 else 1000


def load_state(
    module: torch.nn.Module,
    state: Mapping[str, torch.Tensor],
    spec: ModelSpec,
    *,
    positional: bool,
    hint: str = "",
) -> None:
    """Load `state`; `positional` maps differently named keys one-to-one in order by shape."""
    expected = module.state_dict()
    if positional and set(state) != set(expected):
        _check_positional(expected, state, spec, hint)
        state = dict(zip(expected, state.values(), strict=True))
    if not any(name.startswith("aux") for name in expected):
        state = {key: value for key, value in state.items() if not key.startswith("aux")}
    problems = _misfits(expected, state)
    if problems:
        classes = (
            "; a fine-tuned head: give classes=N (and labels=FILE)"
            if spec.source in LIBRARY_FAMILIES
            else ""
        )
        raise error(
            f"weights file {spec.weights} does not fit {spec.source} architecture {spec.name!r}",
            hint="; ".join(problems) + classes,
        )
    module.load_state_dict(state, strict=True)


def _some(keys, n: int = 3) -> str:
    keys = list(keys)
    return ", ".join(keys[:n]) + (f", ... ({len(keys)} in all)" if len(keys) > n else "")


def _misfits(expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor]) -> list[str]:
    """Why `state` cannot load: a few names per kind of problem, with counts."""
    missing = [key for key in expected if key not in state]
    unexpected = [key for key in state if key not in expected]
    shapes = [
        f"{key} is {tuple(state[key].shape)}, needs {tuple(expected[key].shape)}"
        for key in state
        if key in expected and state[key].shape != expected[key].shape
    ]
    return [
        f"{kind}: {_some(keys)}"
        for kind, keys in [("missing", missing), ("unexpected", unexpected), ("shape", shapes)]
        if keys
    ]


def _check_positional(
    expected: Mapping[str, torch.Tensor], state: Mapping[str, torch.Tensor], spec: ModelSpec, hint
) -> None:
    """A builtin's file names keys differently: only count and shapes must agree, in order."""
    source = spec.weights or "the builtin weights"
    if len(state) != len(expected):
        raise error(
            f"weights file {source} has {len(state)} tensors; {spec.name} needs {len(expected)}",
            hint=hint,
        )
    for (want_key, want), (got_key, got) in zip(expected.items(), state.items(), strict=True):
        if want.shape != got.shape:
            raise error(
                f"weights file {source}: tensor {got_key!r} has shape {tuple(got.shape)}, but {want_key!r} needs {tuple(want.shape)}",
                hint=hint,
            )
