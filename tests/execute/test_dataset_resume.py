"""An interrupted dataset pass resumes from its finished chunks and gives the same result.

A subprocess runs a pass over 200 crops (seven chunks) on a tiny model with a
cache, slowed down per chunk; it is killed (SIGKILL) once two chunks are
stored. What it left must be whole: every cache entry verifies, every
Parquet file reads. Rerunning recomputes only the unfinished chunks and
equals an uninterrupted run without a cache.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
from tiny import tiny_model

import interp
from interp.cache import Cache, _verified_payload
from interp.execute import dataset_pass

TESTS = Path(__file__).resolve().parents[1]
SPEC = """
interface tiny {
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops=200, seed=0)
  element fires = activations(layer("1").spatial, over=pics) | select(channel=2) | top(6) as examples
}
"""
CHUNKS = 7  # 200 examples in chunks of 32

SCRIPT = """
import sys, time
sys.path[:0] = [{tests!r}]
from tiny import tiny_model
import interp
from interp.execute import dataset_pass
from interp.cache import Cache

stored = dataset_pass.ChunkPlan.store
def store(self, i, *rest):
    stored(self, i, *rest)
    print("stored", i, flush=True)
    time.sleep(0.4)
dataset_pass.ChunkPlan.store = store

interp.run({spec!r}, models={{"tiny": tiny_model()}}, cache=Cache({root!r}), progress=False, device="cpu",
           quality="draft", icon_size=32, icon_steps=2)
print("finished", flush=True)
"""


def handles():
    tiny = tiny_model()
    return {"tiny": tiny}


def run(root: Path | None):
    return interp.run(
        SPEC,
        models=handles(),
        cache=Cache(root) if root else None,
        progress=False,
        device="cpu",
        quality="draft",
        icon_size=32,
        icon_steps=2,
    )


def test_a_killed_pass_resumes_from_its_finished_chunks(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    script = textwrap.dedent(SCRIPT).format(tests=str(TESTS), spec=SPEC, root=str(root))
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        for line in child.stdout:
            if line.startswith("stored") and int(line.split()[1]) >= 1:
                child.send_signal(signal.SIGKILL)
                break
            assert not line.startswith("finished"), "the pass ended before it was killed"
    finally:
        child.wait(timeout=120)
    assert child.returncode == -signal.SIGKILL

    entries = [p for p in root.rglob("*") if p.is_file() and len(p.name) == 64]
    assert entries and all(_verified_payload(p.read_bytes()) for p in entries)
    parquet = sorted(root.rglob("chunk-*.parquet"))
    assert 2 <= len(parquet) < CHUNKS
    for path in parquet:
        assert len(pd.read_parquet(path)) == 32 * 4

    computed = []
    original = dataset_pass.chunk_outputs

    def counting(node, examples, models):
        computed.append(examples[0].index // 32)
        return original(node, examples, models)

    monkeypatch.setattr(dataset_pass, "chunk_outputs", counting)
    resumed = run(root)
    assert 0 < len(computed) <= CHUNKS - 2
    assert not set(computed) & {0, 1}, "a finished chunk was computed again"
    assert len(sorted(root.rglob("chunk-*.parquet"))) == CHUNKS

    fresh = run(None)
    np.testing.assert_array_equal(resumed.array("fires").values, fresh.array("fires").values)
    assert (
        resumed.array("fires").example.values.tolist()
        == fresh.array("fires").example.values.tolist()
    )

    computed.clear()
    assert run(root).array("fires").equals(resumed.array("fires"))
    assert computed == [], "a finished pass is served from its chunks"
