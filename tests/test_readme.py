"""Every Python block of the README runs as written, and prints what its comments say.

Each block runs in a scratch folder that holds the project's `specs/` (the README's
paths are the repository's), with `interp.run` drawing tiny icons: their quality has
tests of its own. Where a block shows output as comments under a `print(...)`, the
printed lines are those comments (doctest-style). The "Datasets" and "Classes of a
dataset" blocks have tests of their own (`tests/execute/test_readme_*.py`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import interp

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
OWN_TESTS = ("Datasets", "Classes of a dataset")  # tests/execute/test_readme_*.py run these
FAST = {"quality": "draft", "icon_size": 32, "icon_steps": 2, "progress": False}


def _blocks() -> list[tuple[str, str]]:
    """(section heading, its ```python blocks joined) outside the sections tested elsewhere:
    a section's blocks run in order in one namespace, as a reader runs them in a notebook."""
    found = []
    for section in re.split(r"\n(?=## )", README.read_text()):
        heading = section.splitlines()[0].lstrip("# ").strip()
        if heading in OWN_TESTS:
            continue
        codes = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
        if codes:
            found.append((heading, "\n".join(codes)))
    return found


BLOCKS = _blocks()


def _expected(code: str) -> list[str]:
    """The comment lines right under a line that prints: what it should print."""
    lines, expected = code.splitlines(), []
    for i, line in enumerate(lines):
        if line.startswith("print(") and "#" not in line:
            for after in lines[i + 1 :]:
                if not after.startswith("# "):
                    break
                expected.append(after[2:])
    return expected


def test_the_readme_has_python_blocks_to_run():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[name for name, _ in BLOCKS])
def test_a_readme_block_runs_as_written(code, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").symlink_to(ROOT / "specs")
    run = interp.run
    monkeypatch.setattr(interp, "run", lambda spec, *a, **kw: run(spec, *a, **{**kw, **FAST}))
    exec(compile(code, str(README), "exec"), {"__name__": "readme"})
    printed = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    expected = _expected(code)
    for line in expected:
        assert line.rstrip() in printed, f"the README says {line!r}; printed:\n" + "\n".join(
            printed
        )
