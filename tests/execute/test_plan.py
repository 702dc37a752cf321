"""The planner merges equal work: one forward per input, one job per attribution family,
one feature-visualization batch per layer; the cost estimate counts icons from axis bounds."""

import json

import pytest
from gallery import CONTRACT, GALLERY

import interp
from interp.plan.build import build_plan
from interp.plan.describe import describe
from interp.plan.nodes import Attribute, Factorize, Forward, Visualize

SPECS = GALLERY


def plan_of(name: str):
    program = interp.check(interp.load(SPECS / f"{name}.interp"), bind_models=False)
    return program, build_plan(program, quality="draft")


def test_shared_attribution_family_is_one_job():
    _, plan = plan_of("spatial_attribution")
    attributions = plan.of(Attribute)
    # saliency and classes read the same b.spatial -> output family; feeders is another
    assert len(attributions) == 2
    shared = next(n for n in attributions if n.target.kind == "output")
    readers = {u.split(".")[1] for u in plan.users()[shared]}
    assert {"saliency", "classes"} <= readers


def test_one_forward_captures_every_layer():
    _, plan = plan_of("channel_attribution")
    (forward,) = plan.of(Forward)
    assert set(forward.layers) == {"blocks.3.2.bn1", "blocks.4.2.bn1"}
    assert forward.logits  # `classes` shows activations(output)


def test_forward_stops_before_the_logits_when_no_output_is_read():
    _, plan = plan_of("activation_grid")
    (forward,) = plan.of(Forward)
    assert not forward.logits
    assert forward.layers == ("blocks.2.1.bn1", "blocks.4.2.bn1", "blocks.5.3.bn1")
    assert plan.count(Visualize) == 3


def test_factorizations_and_visualizations_merge_by_layer():
    _, plan = plan_of("neuron_groups")
    assert plan.count(Factorize) == 1  # icons, where and classes share the NMF
    (batch,) = plan.of(Visualize)
    assert batch.layer == "blocks.4.2.bn1"
    assert len(batch.requests) == 1  # only `icons` draws feature visualizations


def test_a_selection_bounded_by_another_elements_top_is_an_edge():
    _, plan = plan_of("channel_attribution")
    upper = plan.element("channel_attribution", "upper")
    classes = plan.element("channel_attribution", "classes")
    family = next(n for n in plan.ancestors([upper.array]) if isinstance(n, Attribute))
    assert [r.atoms for r in family.restrict] == [classes.atoms]
    assert classes.atoms in family.inputs


def test_equal_nodes_merge_and_nodes_are_span_free():
    program, plan = plan_of("sanity_check")
    again = build_plan(program, quality="draft")
    assert again == plan and hash(again.nodes) == hash(plan.nodes)
    assert len(set(plan.nodes)) == len(plan.nodes)
    for node in plan.nodes:
        assert "span=Span" not in repr(node)


@pytest.mark.parametrize("spec", sorted(CONTRACT))
def test_describe_names_every_job(spec):
    _, plan = plan_of(spec)
    text = describe(plan)
    for page in plan.pages:  # at most one forward pass per interface's input
        assert sum(isinstance(n, Forward) for n in plan.ancestors([page])) <= 1
    assert text.count("\n  forward") == sum(
        any(isinstance(n, Forward) for n in plan.ancestors([p])) for p in plan.pages
    )
    assert text.count("total:") == len(plan.pages)


def test_plan_json_is_the_dag(capsys):
    from interp.cli import main

    assert main(["plan", "--json", str(SPECS / "teaser.interp")]) == 0
    dag = json.loads(capsys.readouterr().out)
    ids = [n["id"] for n in dag["nodes"]]
    assert ids == list(range(len(ids)))
    assert all(i < n["id"] for n in dag["nodes"] for i in n["inputs"])  # topological
    kinds = [n["kind"] for n in dag["nodes"]]
    assert kinds.count("Forward") == 1 and kinds.count("Attribute") == 1 and "Page" in kinds


def test_estimate_counts_icons_from_axis_bounds_and_a_budget_refuses_it():
    from interp.errors import InterpError
    from interp.execute.estimate import estimate
    from interp.models.load import load_model
    from interp.plan.cost import enforce

    _, teaser = plan_of("teaser")
    _, grid = plan_of("activation_grid")
    _, channels = plan_of("channel_attribution")
    handle = load_model(teaser.of(Forward)[0].model)
    handles = {handle.spec: handle}
    small = estimate(teaser, handles, "draft", per_forward=0.05)
    large = estimate(grid, handles, "draft", per_forward=0.05)
    assert small.icons == 12  # top(6, per=target) over two classes
    assert large.icons == 28 * 28 + 14 * 14 + 7 * 7  # one icon per position of each grid
    # upper: top(8) for each of the 3 classes; lower: top(8) for each of upper's 24 atoms
    assert estimate(channels, handles, "draft", 0.05).icons == 3 * 8 + 3 * 8 * 8
    # the dictionary's top(8) for each of the picker's 14 x 14 positions, at most every channel
    _, dictionary = plan_of("semantic_dictionary")
    assert estimate(dictionary, handles, "draft", 0.05).icons == min(672, 14 * 14 * 8)
    assert 0 < small.forward_equivalents < large.forward_equivalents
    assert large.seconds == pytest.approx(large.forward_equivalents * 0.05)
    enforce(large.seconds + 1, large, "activation_grid")
    with pytest.raises(InterpError, match="over the budget"):
        enforce(large.seconds / 2, large, "activation_grid")


def test_render_refuses_a_plan_over_budget(tmp_path, capsys):
    from interp.cli import main

    out = tmp_path / "page.html"
    args = ["render", str(SPECS / "spatial_attribution.interp"), "-o", str(out)]
    assert main([*args, "--budget", "1", "--no-cache"]) == 1
    assert "over the budget" in capsys.readouterr().err
    assert not out.exists()
