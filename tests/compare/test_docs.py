"""docs/metrics.md's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_the_example_runs(capsys):
    """The first example (the metric functions); the second, on whole specs, is the pipeline's
    (tests/compare/test_interface_metrics.py runs the same)."""
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    assert len(blocks) == 2
    exec(compile(blocks[0], str(DOC), "exec"), {"__name__": "metrics_example"})
    printed = capsys.readouterr().out
    for metric in (
        "randomization",
        "deletion",
        "path_dependence",
        "coverage",
        "nmf_explained",
        "flow_entropy",
    ):
        assert metric in printed
    assert "None" not in printed
