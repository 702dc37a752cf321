"""The planner merges equal work: one forward per input, one job per attribution family."""

import pytest
from gallery import CONTRACT, GALLERY

from interp.check.interfaces import check_static
from interp.plan.build import Attribute, Factorize, Forward, Visualize, describe, plan_interface
from interp.syntax import load

SPECS = GALLERY


def plan_of(name: str, interface: str | None = None):
    program = check_static(load(SPECS / f"{name}.interp"))
    bound = program.interface(interface) if interface else program.interfaces[0]
    return bound, plan_interface(bound)


def test_shared_attribution_family_is_one_job():
    _, plan = plan_of("spatial_attribution")
    attributions = [n for n in plan.nodes if isinstance(n, Attribute)]
    # saliency and classes read the same b.spatial -> output family; feeders is another
    assert len(attributions) == 2
    uses = dict(plan.uses)
    shared = next(n for n in attributions if n.content.target.kind == "output")
    assert uses[shared] == ("saliency", "classes")


def test_one_forward_captures_every_layer():
    _, plan = plan_of("channel_attribution")
    forwards = [n for n in plan.nodes if isinstance(n, Forward)]
    assert len(forwards) == 1
    assert set(forwards[0].layers) == {"blocks.3.2.bn1", "blocks.4.2.bn1"}
    assert forwards[0].logits  # `classes` shows activations(output)


def test_forward_stops_before_the_logits_when_no_output_is_read():
    _, plan = plan_of("activation_grid")
    forward = next(n for n in plan.nodes if isinstance(n, Forward))
    assert not forward.logits
    assert forward.layers == ("blocks.2.1.bn1", "blocks.4.2.bn1", "blocks.5.3.bn1")
    assert plan.count(Visualize) == 3


def test_factorizations_and_visualizations_merge_by_layer():
    _, plan = plan_of("neuron_groups")
    assert plan.count(Factorize) == 1  # icons, where and classes share the NMF
    visualize = [n for n in plan.nodes if isinstance(n, Visualize)]
    assert visualize == [Visualize(visualize[0].model, "blocks.4.2.bn1", "group")]


@pytest.mark.parametrize("spec", sorted(CONTRACT))
def test_describe_names_every_job(spec):
    interface, plan = plan_of(spec)
    text = describe(interface, plan)
    assert text.count("\n  forward") == 1
    assert "total:" in text


def test_estimate_grows_with_the_work_and_a_budget_refuses_it():
    from interp.errors import InterpError
    from interp.models.load import load_model
    from interp.plan.cost import enforce, estimate

    teaser, teaser_plan = plan_of("teaser")
    spatial, spatial_plan = plan_of("spatial_attribution")
    handle = load_model(teaser.model)
    small = estimate(teaser, teaser_plan, handle, "draft", per_forward=0.05)
    large = estimate(spatial, spatial_plan, handle, "draft", per_forward=0.05)
    assert 0 < small.forward_equivalents < large.forward_equivalents
    assert large.seconds == pytest.approx(large.forward_equivalents * 0.05)
    enforce(large.seconds + 1, large, "spatial_attribution")
    with pytest.raises(InterpError, match="over the budget"):
        enforce(large.seconds / 2, large, "spatial_attribution")


def test_render_refuses_a_plan_over_budget(tmp_path, capsys):
    from interp.cli import main

    out = tmp_path / "page.html"
    code = main(
        [
            "render",
            str(SPECS / "spatial_attribution.interp"),
            "-o",
            str(out),
            "--budget",
            "1",
            "--no-cache",
        ]
    )
    assert code == 1
    assert "over the budget" in capsys.readouterr().err
    assert not out.exists()
