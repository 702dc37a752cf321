"""README's "your own folder of JPEGs" example runs as written (in a scratch folder)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_own_folder_example_runs(tmp_path, monkeypatch, capsys):
    section = README.read_text().split("## Datasets", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    monkeypatch.chdir(tmp_path)
    # the example as written, with tiny icons (their quality has its own tests)
    fast = block.replace('quality="draft"', 'quality="draft", icon_size=32, icon_steps=2')
    exec(compile(fast, str(README), "exec"), {"__name__": "readme_datasets"})
    printed = capsys.readouterr().out
    assert '<dataset("photos/**/*.jpg"): 12 examples; 1 label (cats: 12)>' in printed
    assert "8064 ['example', 'label', 'channel', 'value', 'x', 'y']" in printed
    assert (tmp_path / "mine.html").read_text().count("data:image/jpeg;base64,") >= 6
    assert list((tmp_path / "cache" / "datasets").rglob("chunk-00000.parquet"))
