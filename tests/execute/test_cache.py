"""The content-addressed cache: keys by content, values without pickle, atomic writes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from interp import cache as cache_module
from interp import files
from interp.cache import Cache, canonical_json, default_root, digest


@dataclass(frozen=True)
class Node:
    layer: str
    channels: tuple[int, ...]


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob(".*.tmp") if p.is_file()]


def test_values_round_trip(tmp_path):
    cache = Cache(tmp_path)
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    arrays = {"footprint": np.ones((2, 2)), "directions": np.zeros(3, dtype=np.int64)}
    values = {"a": array, "b": b"\x00raw\nbytes", "c": {"x": [1, 2.5, None]}, "d": arrays}
    for name, value in values.items():
        cache.put(("test", name), value)
    got = {name: cache.get(("test", name)) for name in values}
    assert got["a"].dtype == np.float32 and np.array_equal(got["a"], array)
    assert got["b"] == values["b"]
    assert got["c"] == values["c"]
    assert set(got["d"]) == set(arrays)
    assert all(np.array_equal(got["d"][k], arrays[k]) for k in arrays)
    assert ("test", "a") in cache and ("test", "zzz") not in cache


def test_keys_are_content():
    assert digest(("a", 1, (2, 3))) == digest(["a", 1, [2, 3]])
    assert digest({"x": 1, "y": 2}) == digest({"y": 2, "x": 1})
    assert digest(Node("blocks.4", (1, 2))) == digest(Node("blocks.4", (1, 2)))
    assert digest(Node("blocks.4", (1, 2))) != digest(Node("blocks.4", (2, 1)))
    assert digest(np.arange(3)) == digest(np.arange(3)) != digest(np.arange(3.0))
    assert digest(1.0) != digest(1.0000001)
    assert canonical_json(np.float32(0.5)) == canonical_json(0.5)
    with pytest.raises(TypeError):
        digest(object())


def test_miss_and_disabled(tmp_path):
    assert Cache(tmp_path).get("nothing") is None
    disabled = Cache(None)
    disabled.put("k", np.zeros(2))
    assert disabled.get("k") is None and not disabled.enabled


def test_default_root_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path / "c"))
    assert default_root() == tmp_path / "c"
    assert Cache().root == tmp_path / "c"
    monkeypatch.delenv("INTERP_CACHE_DIR")
    assert default_root() == Path.home() / ".cache" / "interp"


def test_write_is_atomic_and_leaves_no_temp_files(tmp_path):
    cache = Cache(tmp_path)
    cache.put("k", np.ones(1000))
    cache.put("k", np.zeros(1000))  # overwrite goes through a rename too
    assert np.array_equal(cache.get("k"), np.zeros(1000))
    assert leftovers(tmp_path) == []
    assert [p.name for p in cache.path("k").parent.iterdir()] == [cache.path("k").name]


def test_crash_mid_write_leaves_no_entry(tmp_path, monkeypatch):
    cache = Cache(tmp_path)

    def crash(*_args):
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(cache_module.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        cache.put("k", np.ones(10))
    monkeypatch.undo()
    assert cache.get("k") is None
    assert not cache.path("k").exists()
    assert leftovers(tmp_path) == []


def test_crash_while_writing_payload_keeps_old_entry(tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    cache.put("k", np.ones(3))
    real_fdopen = os.fdopen

    class Failing:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise OSError("disk full")

    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: Failing(real_fdopen(fd, mode)))
    with pytest.raises(OSError):
        cache.put("k", np.zeros(3))
    monkeypatch.undo()
    assert np.array_equal(cache.get("k"), np.ones(3))
    assert leftovers(tmp_path) == []


def test_unreadable_entry_is_a_miss(tmp_path):
    cache = Cache(tmp_path)
    cache.put("k", np.ones(3))
    cache.path("k").write_bytes(b"npy\nnot an array")
    assert cache.get("k") is None
    cache.path("k").write_bytes(b"garbage without a tag")
    assert cache.get("k") is None
