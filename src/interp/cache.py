"""A small content-addressed on-disk cache for execution results.

An entry's key is any JSON-able value (typically a tuple of parts: a model
fingerprint, a stage name, a frozen plan node, parameters); it is hashed as
canonical JSON with SHA-256, so equal content always finds the same entry and
nothing about where or when it was computed matters. Values are stored without
pickle: ``bytes`` as is, numpy arrays with ``np.save`` (``allow_pickle=False``),
a ``dict`` of arrays with ``np.savez``, anything else JSON-able as JSON. Writes
are atomic (a temporary file of the writer's own in the entry's directory, then
``os.replace``; see :mod:`interp.files`), so a reader sees either the whole
entry or none, and a crash leaves no entry. Each entry starts with a header
line holding its payload's length and SHA-256: an entry that was truncated or
corrupted on disk is a miss (the value is recomputed), never served, never an
exception.

``Cache()`` uses ``$INTERP_CACHE_DIR`` or ``~/.cache/interp``; ``Cache(None)``
is a disabled cache whose ``get`` always misses and ``put`` does nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from interp.files import write_atomic

__all__ = ["Cache", "canonical_json", "digest", "default_root"]

_DEFAULT = object()
_FORMAT = "interp-cache-2"
_TAGS = {b"raw": "bytes", b"npy": "array", b"npz": "arrays", b"jsn": "json"}


def default_root() -> Path:
    """``$INTERP_CACHE_DIR`` when set, else ``~/.cache/interp``.

    A set but empty value is refused rather than read as the default (it would put
    results where the user meant them not to go), as is a ``~user`` that does not exist.
    """
    env = os.environ.get("INTERP_CACHE_DIR")
    if env is None:
        return _expand("~/.cache/interp", "the default cache folder ~/.cache/interp")
    if not env.strip():
        raise _bad_root(
            "INTERP_CACHE_DIR is set but empty",
            "unset it (`unset INTERP_CACHE_DIR`) to use ~/.cache/interp, or set it to a folder; "
            "--no-cache keeps no results",
        )
    return _expand(env, f"INTERP_CACHE_DIR={env!r}")


def _expand(text: str, what: str) -> Path:
    """`text` as a path, `~` and `~user` expanded; a home folder that cannot be found refused."""
    try:
        return Path(text).expanduser()
    except RuntimeError:  # `~nosuchuser`, or `~` with no $HOME and no user entry
        user = text[1:].replace(os.sep, "/").split("/")[0]
        why = f"there is no user {user!r} for ~{user}" if user else "$HOME is not set"
        raise _bad_root(
            f"{what}: cannot expand {'~' + user}: {why}",
            "write the folder as an absolute path, or name a user that exists",
        ) from None


def _bad_root(message: str, hint: str):
    from interp.errors import Diagnostic
    from interp.options import OptionValueError  # options imports this module

    return OptionValueError(Diagnostic(message, hint=hint))


def _jsonable(value: Any) -> Any:
    """`value` as plain JSON data, so equal content serializes identically."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, (np.generic,)):
        return _jsonable(value.item())
    if isinstance(value, np.ndarray):
        # Arrays are keyed by content, not spelled out.
        array = np.ascontiguousarray(value)
        return {
            "__ndarray__": hashlib.sha256(array.tobytes()).hexdigest(),
            "dtype": array.dtype.str,
            "shape": list(array.shape),
        }
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor
        return _jsonable(value.detach().cpu().numpy())
    if isinstance(value, (bytes, bytearray)):
        return {"__bytes__": hashlib.sha256(value).hexdigest()}
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__qualname__, **fields}
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_jsonable(v) for v in value), key=canonical_json)
    if hasattr(value, "model_dump"):  # a pydantic model
        return {"__type__": type(value).__qualname__, **_jsonable(value.model_dump())}
    raise TypeError(f"cannot use {type(value).__name__} in a cache key")


def canonical_json(value: Any) -> str:
    """Sorted-key, whitespace-free JSON of `value` (tuples as lists, arrays by hash)."""
    return json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"), allow_nan=False)


def digest(key: Any) -> str:
    """The SHA-256 hex digest naming `key`'s entry."""
    return hashlib.sha256(f"{_FORMAT}\n{canonical_json(key)}".encode()).hexdigest()


def _encode(value: Any) -> tuple[bytes, bytes]:
    if isinstance(value, (bytes, bytearray)):
        return b"raw", bytes(value)
    buffer = io.BytesIO()
    if isinstance(value, np.ndarray):
        np.save(buffer, value, allow_pickle=False)
        return b"npy", buffer.getvalue()
    if isinstance(value, dict) and value and all(isinstance(v, np.ndarray) for v in value.values()):
        np.savez(buffer, **{str(k): v for k, v in value.items()})
        return b"npz", buffer.getvalue()
    return b"jsn", json.dumps(value, allow_nan=False).encode()


def _decode(tag: bytes, payload: bytes) -> Any:
    if tag == b"raw":
        return payload
    if tag == b"npy":
        return np.load(io.BytesIO(payload), allow_pickle=False)
    if tag == b"npz":
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    if tag == b"jsn":
        return json.loads(payload)
    raise ValueError(f"unknown cache entry tag {tag!r}")


def _header(tag: bytes, payload: bytes) -> bytes:
    checksum = hashlib.sha256(payload).hexdigest().encode()
    return b" ".join((_FORMAT.encode(), tag, str(len(payload)).encode(), checksum)) + b"\n"


def _verified_payload(blob: bytes) -> tuple[bytes, bytes] | None:
    """(tag, payload) of an entry whose header matches its payload, else None."""
    header, newline, payload = blob.partition(b"\n")
    fields = header.split(b" ")
    if not newline or len(fields) != 4 or fields[0] != _FORMAT.encode() or fields[1] not in _TAGS:
        return None
    _, tag, length, checksum = fields
    if length != str(len(payload)).encode():
        return None
    if hashlib.sha256(payload).hexdigest().encode() != checksum:
        return None
    return tag, payload


class Cache:
    """Content-addressed entries under `root` (``<root>/<2 hex>/<64 hex>``).

    ``get(key)`` returns the stored value or None; ``put(key, value)`` stores
    `value` (bytes, an ndarray, a dict of ndarrays, or JSON data).
    """

    def __init__(self, root: str | os.PathLike | None = _DEFAULT):  # type: ignore[assignment]
        self.root: Path | None = default_root() if root is _DEFAULT else _as_path(root)

    @property
    def enabled(self) -> bool:
        return self.root is not None

    def __repr__(self) -> str:
        return f"Cache({str(self.root)!r})" if self.root else "Cache(None)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cache) and other.root == self.root

    def __hash__(self) -> int:
        return hash((Cache, self.root))

    def path(self, key: Any) -> Path | None:
        """Where `key`'s entry lives (whether or not it exists)."""
        if self.root is None:
            return None
        name = digest(key)
        return self.root / name[:2] / name

    def __contains__(self, key: Any) -> bool:
        """Whether `key` has an intact entry (reads and verifies it)."""
        return self.get(key) is not None

    def get(self, key: Any) -> Any | None:
        """The value stored under `key`, or None (a miss, a disabled cache, a damaged entry)."""
        path = self.path(key)
        if path is None:
            return None
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        payload = _verified_payload(blob)
        if payload is None:
            return None
        tag, payload = payload
        try:
            return _decode(tag, payload)
        except Exception:  # a verified payload that still fails to decode: a miss all the same
            return None

    def put(self, key: Any, value: Any) -> None:
        """Store `value` under `key`, atomically; a no-op when disabled."""
        path = self.path(key)
        if path is None:
            return
        tag, payload = _encode(value)
        write_atomic(path, _header(tag, payload) + payload, mode=None, fsync=False)


def _as_path(root: str | os.PathLike | None) -> Path | None:
    return (
        None if root is None else _expand(os.fspath(root), f"the cache folder {os.fspath(root)!r}")
    )
