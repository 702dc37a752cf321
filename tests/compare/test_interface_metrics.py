"""Interface metrics as plan nodes: which apply to which element, their values on the real model,
and where they appear (Result.metrics(), the compare page, --metrics CSV)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from gallery import spec_path

import interp
from interp.plan.nodes import Deletion, Metric

TINY = dict(quality="draft", icon_size=32, icon_steps=2, progress=False, device="cpu")


@pytest.fixture(scope="module")
def sanity():
    return interp.run(spec_path("sanity_check"), **TINY)


def value(metrics: pd.DataFrame, interface: str, element: str, metric: str):
    found = metrics.query("interface == @interface and element == @element and metric == @metric")
    return None if found.empty else float(found["value"].iloc[0])


def test_metrics_are_a_tidy_table_of_the_compared_interfaces(sanity):
    metrics = sanity.metrics()
    assert list(metrics.columns) == ["interface", "element", "metric", "value"]
    assert set(metrics["interface"]) == {"trained", "randomized"}
    assert metrics["value"].notna().all()


def test_a_metric_that_does_not_apply_is_absent(sanity):
    metrics = sanity.metrics()
    assert value(metrics, "trained", "saliency", "coverage") is None  # no top(k) to cover
    assert value(metrics, "randomized", "saliency", "randomization") is None  # already random
    assert value(metrics, "trained", "saliency", "nmf_explained") is None  # no groups


def test_randomization_and_deletion_say_the_trained_saliency_can_be_trusted(sanity):
    metrics = sanity.metrics()
    assert abs(value(metrics, "trained", "saliency", "randomization")) < 0.3
    deleted = value(metrics, "trained", "saliency", "deletion")
    assert deleted < value(metrics, "trained", "saliency", "deletion_random")
    coverage = value(metrics, "trained", "detectors", "coverage")
    assert 0 < coverage < 1


def test_each_metric_is_a_plan_node_and_deletion_runs_the_model_once_per_element(sanity):
    plan = sanity.plan
    names = {(i, e, m.name) for i, e, m in plan.metrics}
    assert ("trained", "saliency", "deletion") in names
    assert all(isinstance(m, Metric) and not m.needs_model for _, _, m in plan.metrics)
    deletions = plan.of(Deletion)
    assert len(deletions) == 4  # saliency and detectors, on each model; shared by two metrics
    assert all(d.steps == 10 for d in deletions)


def test_metrics_of_groups_and_flows():
    text = spec_path("group_flow").read_text()
    text += '\ninterface again extends group_flow "Again" {\n}\ncompare group_flow, again\n'
    result = interp.run(interp.parse(text), **TINY)
    metrics = result.metrics()
    explained = value(metrics, "group_flow", "flow", "nmf_explained")
    assert 0 < explained <= 1
    entropy = value(metrics, "group_flow", "flow", "flow_entropy")
    assert 0 < entropy < 5  # bits over 5 x 5 flows: below log2(25)


def test_compare_page_draws_the_deletion_curves(sanity):
    view = sanity.comparison()
    assert set(view.definitions) == set(sanity.metrics()["metric"])
    curves = view.curves
    assert set(curves["order"]) == {"attribution", "random"}
    assert set(curves["element"]) == {"saliency", "detectors"}


BARS = """
interface trained {
  element classes = attribution(layer("blocks.5.3.bn1").channels -> output["tabby"]) | top(3) as bars
}
interface randomized extends trained {
  model efficientnet_lite0(weights=random, seed=0)
}
compare trained, randomized
"""


def test_render_writes_the_metrics_csv(tmp_path):
    from interp.cli import main

    spec = tmp_path / "bars.interp"
    spec.write_text(BARS)
    out, csv = tmp_path / "bars.html", tmp_path / "metrics.csv"
    args = ["render", str(spec), "-o", str(out), "--quality", "draft"]
    assert main([*args, "--metrics", str(csv), "--no-cache"]) == 0
    table = pd.read_csv(csv)
    assert list(table.columns) == ["interface", "element", "metric", "value"]
    assert {"randomization", "deletion", "coverage"} <= set(table["metric"])
    assert set(table["interface"]) == {"trained", "randomized"}


def test_compatible_and_independent_groups_report_their_flow_entropy():
    result = interp.run(spec_path("compatible_groups"), **TINY)
    metrics = result.metrics()
    for interface in ("independent", "compatible"):
        entropy = value(metrics, interface, "flow", "flow_entropy")
        assert 0 < entropy <= np.log2(25)


SINGLE = """interface alone {
  model efficientnet_lite0(weights=random, seed=0)
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  element detectors = attribution(mid.channels -> output["tabby"]) | top(4) as bars
}
"""


def test_metrics_on_a_single_interface_when_asked(tmp_path):
    from interp.cli import main
    from interp.render import render_page

    assert interp.run(SINGLE, cache=None, **TINY).metrics().empty  # not asked: none
    result = interp.run(SINGLE, cache=None, metrics=True, **TINY)
    metrics = result.metrics()
    assert set(metrics["interface"]) == {"alone"}
    coverage = value(metrics, "alone", "detectors", "coverage")
    assert 0 < coverage < 1
    assert value(metrics, "alone", "detectors", "path_dependence") is not None
    page = result.pages[0]
    assert page.metrics is not None and set(page.metrics["metric"]) == set(metrics["metric"])
    document = render_page(page)
    assert '<details class="interp-metrics">' in document and "<abbr>coverage</abbr>" in document
    share = f"{100 * coverage:.0f}%"  # each value says what it means on hover
    assert f'title="the atoms shown carry {share} of the element&#x27;s content' in document
    with pytest.raises(TypeError, match="metrics must be True, False or None"):
        interp.Options(metrics="yes")

    spec = tmp_path / "alone.interp"
    spec.write_text(SINGLE)
    csv = tmp_path / "alone.csv"
    args = ["render", str(spec), "-o", str(tmp_path / "alone.html"), "--quality", "draft"]
    assert main([*args, "--metrics", str(csv), "--no-cache"]) == 0
    written = pd.read_csv(csv)
    assert set(written["metric"]) == set(metrics["metric"])
    assert value(written, "alone", "detectors", "coverage") == pytest.approx(coverage, rel=1e-5)


def test_metrics_skip_what_they_cannot_measure_over_a_dataset():
    """An attribution aggregated over a dataset's examples has one gradient path per
    example: path_dependence does not apply (it failed to plan before)."""
    from tiny import tiny_model

    mine = tiny_model()
    text = (
        "interface tiny {\n"
        "  model mine\n"
        '  input sample("chelsea")\n'
        "  let pics = dataset(samples(), crops=8, seed=0)\n"
        '  element agg = attribution(layer("1").channels -> output["dog"], over=pics)'
        " | mean(over=example) | top(2) as bars\n"
        '  element one = attribution(layer("1").channels -> output["dog"]) | top(2) as bars\n'
        "}\n"
    )
    result = interp.run(text, models={"mine": mine}, cache=None, metrics=True, **TINY)
    metrics = result.metrics()
    assert value(metrics, "tiny", "agg", "path_dependence") is None
    assert value(metrics, "tiny", "one", "path_dependence") is not None
    assert value(metrics, "tiny", "agg", "coverage") is not None
