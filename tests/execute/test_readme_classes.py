"""README's "Classes of a dataset" example runs as written (in a scratch folder)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_classes_example_runs(tmp_path, monkeypatch, capsys):
    section = README.read_text().split("## Classes of a dataset", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(README), "exec"), {"__name__": "readme_classes"})
    printed = capsys.readouterr().out
    assert "('channel', 'tchannel')" in printed
    assert len(list(tmp_path.glob("labelled/*/*.jpg"))) == 24
