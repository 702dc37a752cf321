"""Files under faults: processes killed at the rename points, concurrent restores,
damaged cache entries. Kills are real (SIGKILL in a subprocess, so no `finally`
runs); what the next process finds is what the user would find."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from interp import files
from interp.cache import Cache
from interp.commands import page_cache

SRC = Path(__file__).resolve().parents[2] / "src"
RENDER_TESTS = Path(__file__).resolve().parents[1] / "render"

# Replace os.replace in a child process with one that SIGKILLs the process on its
# KILL_AT-th call, before renaming anything: the moment between two renames.
KILL_AT_RENAME = """
import os, signal
_real_replace, _calls = os.replace, [0]
def _replace(source, target):
    _calls[0] += 1
    if _calls[0] == {kill_at}:
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_replace(source, target)
os.replace = _replace
"""


def run_python(code: str, *, kill_at: int | None = None, extra_path: Path | None = None):
    prelude = KILL_AT_RENAME.format(kill_at=kill_at) if kill_at else ""
    path = os.pathsep.join(str(p) for p in (SRC, extra_path) if p)
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


@pytest.mark.parametrize("kill_at", [1, 2, 3])
def test_a_set_killed_between_renames_is_never_new_beside_stale(tmp_path, kill_at):
    names = ["page.html", "page.vl.json", "page.png"]
    for name in names:
        (tmp_path / name).write_bytes(b"stale")
    result = run_python(
        f"""
        from pathlib import Path
        from interp.files import write_all
        folder = Path({str(tmp_path)!r})
        write_all({{folder / name: b"new" for name in {names!r}}})
        """,
        kill_at=kill_at,
    )
    assert result.returncode == -9, result.stderr
    found = {name: (tmp_path / name).read_bytes() for name in names if (tmp_path / name).exists()}
    assert set(found.values()) <= {b"new"}  # the old set is gone before the first rename
    assert len(found) == kill_at - 1
    assert len(temporaries(tmp_path)) == len(names) - len(found)  # left by the killed process

    files.write_all({tmp_path / name: b"again" for name in names})  # the next run
    assert {(tmp_path / n).read_bytes() for n in names} == {b"again"}
    assert temporaries(tmp_path) == []


def test_a_render_killed_between_its_html_and_its_json_leaves_no_stale_json(tmp_path):
    html, spec = tmp_path / "teaser.html", tmp_path / "teaser.vl.json"
    html.write_text("stale")
    spec.write_text("stale")
    result = run_python(
        f"""
        from synthetic_pages import teaser
        from interp.render import write_outputs
        from interp.render.html import packed_javascript
        packed_javascript()  # may keep the Vega bundle in the cache: count the page's renames only
        _calls[0] = 0
        write_outputs(teaser(), {str(html)!r}, json_path={str(spec)!r})
        """,
        kill_at=2,
        extra_path=RENDER_TESTS,
    )
    assert result.returncode == -9, result.stderr
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert not spec.exists()


def test_a_cache_write_killed_at_its_rename_leaves_no_entry_and_the_next_put_cleans_up(
    tmp_path,
):
    result = run_python(
        f"""
        import numpy as np
        from interp.cache import Cache
        Cache({str(tmp_path)!r}).put("k", np.ones(100))
        """,
        kill_at=1,
    )
    assert result.returncode == -9, result.stderr
    cache = Cache(tmp_path)
    assert cache.get("k") is None and not cache.path("k").exists()
    assert len(temporaries(tmp_path)) == 1
    cache.put("k", np.zeros(3))
    assert np.array_equal(cache.get("k"), np.zeros(3))
    assert temporaries(tmp_path) == []


def test_a_temporary_of_a_live_process_is_kept_until_it_is_a_day_old(tmp_path):
    target = tmp_path / "page.html"
    mine = tmp_path / f".page.html.{os.getpid()}-abcd1234.tmp"
    other = tmp_path / ".page.html.notes.tmp"  # not one of ours: never touched
    mine.write_bytes(b"in progress")
    other.write_bytes(b"keep")
    assert files.remove_stale_temporaries(target) == 0
    day_ago = time.time() - files.STALE_AFTER_S - 60
    os.utime(mine, (day_ago, day_ago))
    assert files.remove_stale_temporaries(target) == 1
    assert not mine.exists() and other.exists()


def test_concurrent_restores_to_one_target_all_succeed(tmp_path):
    cache = Cache(tmp_path / "cache")
    key = ("page", "a spec")
    content = {"html": os.urandom(200_000), "json": os.urandom(50_000)}
    for kind, data in content.items():
        cache.put((*key, kind), data)
    out = tmp_path / "out"
    code = f"""
        from pathlib import Path
        from interp.commands import page_cache
        from interp.cache import Cache
        out = Path({str(out)!r})
        outputs = {{"html": out / "page.html", "json": out / "page.vl.json"}}
        cache = Cache({str(tmp_path / "cache")!r})
        failures = 0
        for _ in range(150):
            try:
                assert page_cache.restore(cache, {key!r}, outputs)
            except Exception as exc:
                failures += 1
        print(failures)
        """
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    reports = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0] * 4, [err for _, err in reports]
    assert [out.strip() for out, _ in reports] == ["0"] * 4
    assert (out / "page.html").read_bytes() == content["html"]
    assert (out / "page.vl.json").read_bytes() == content["json"]
    assert temporaries(out) == []


def test_an_interrupted_restore_cleans_up_its_temporaries(tmp_path, monkeypatch):
    cache = Cache(tmp_path / "cache")
    cache.put(("page", "html"), b"<html>")
    outputs = {"html": tmp_path / "page.html"}

    def interrupt(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        page_cache.restore(cache, ("page",), outputs)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_a_restore_with_a_damaged_entry_writes_nothing(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put(("page", "html"), b"<html>")
    cache.put(("page", "json"), b"{}")
    entry = cache.path(("page", "json"))
    entry.write_bytes(entry.read_bytes()[:-1])
    outputs = {"html": tmp_path / "page.html", "json": tmp_path / "page.vl.json"}
    assert page_cache.restore(cache, ("page",), outputs) is False
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def damage(blob: bytes) -> dict[str, bytes]:
    header, _, payload = blob.partition(b"\n")
    flipped = bytearray(blob)
    flipped[-5] ^= 0xFF
    return {
        "truncated": blob[: len(blob) // 2],
        "truncated by one byte": blob[:-1],
        "one byte flipped": bytes(flipped),
        "header only": header + b"\n",
        "empty": b"",
        "no header": payload,
        "an older format": b"npy\n" + payload,
        "extended": blob + b"\x00",
        "garbage": os.urandom(len(blob)),
    }


@pytest.mark.parametrize(
    "value",
    [np.arange(1000.0), {"a": np.ones((8, 8)), "b": np.zeros(3)}, b"raw bytes" * 50, {"x": [1]}],
    ids=["array", "arrays", "bytes", "json"],
)
def test_a_damaged_entry_is_a_miss_never_an_exception(tmp_path, value):
    cache = Cache(tmp_path)
    cache.put("k", value)
    intact = cache.path("k").read_bytes()
    for name, blob in damage(intact).items():
        cache.path("k").write_bytes(blob)
        assert cache.get("k") is None, name
        assert "k" not in cache, name
    cache.put("k", value)  # recomputed and stored again
    assert cache.get("k") is not None
