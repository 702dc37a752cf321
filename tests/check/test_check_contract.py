"""The contract specs check against their models, and bind what DESIGN.md says.

Every spec in `../shared/specs` must pass `interp.check.model_binding.check` with its models
bound (layer paths, class labels, input image, NMF signs). The bound program is
what the planner runs, so a few facts of it are pinned here: which axes each
selection binds, the free axes of elements, inheritance and comparisons.
"""

from __future__ import annotations

from functools import cache

import pytest
from gallery import CONTRACT, GALLERY

from interp.check import check
from interp.check.program import Groups, Program, Reduce, SelectFrom, Top
from interp.models.load import ModelSpec
from interp.syntax import parse

SPECS = GALLERY
NAMES = sorted(CONTRACT)


@cache
def program(name: str) -> Program:
    text = (SPECS / f"{name}.interp").read_text(encoding="utf-8")
    return check(parse(text, f"{name}.interp"), source=text, device="cpu", bind_models=True)


def selections(name: str, interface: str, element: str) -> list[SelectFrom]:
    return list(program(name).interface(interface).element(element).selections)


def free(name: str, interface: str, element: str) -> list[str]:
    return [a.name for a in program(name).interface(interface).element(element).axes]


@pytest.mark.parametrize("name", NAMES)
def test_contract_spec_checks_with_models_bound(name):
    bound = program(name)
    assert bound.interfaces
    text = (SPECS / f"{name}.interp").read_text(encoding="utf-8")
    declared = {stmt.name for i in parse(text).interfaces for stmt in i.elements}
    for interface in bound.interfaces:
        assert {e.name for e in interface.elements} <= declared
        seen: set[str] = set()
        for element in interface.elements:  # every selection's source comes first
            assert {s.element for s in element.selections} <= seen, element.name
            seen.add(element.name)


def test_teaser_hover_binds_the_detectors_channel():
    assert selections("teaser", "teaser", "where") == [
        SelectFrom("detectors", "hover", (("channel", "channel"),))
    ]
    assert free("teaser", "teaser", "where") == ["x", "y"]
    detectors = program("teaser").interface("teaser").element("detectors")
    assert detectors.content.target.labels == ("Egyptian cat", "tabby")
    assert detectors.ops == (Top(6, "target"),)
    assert free("teaser", "teaser", "detectors") == ["channel", "class"]


def test_channel_attribution_drills_from_class_to_upper_to_lower_channels():
    name = "channel_attribution"
    assert selections(name, name, "upper") == [
        SelectFrom("classes", "click", (("class", "class"),))
    ]
    assert selections(name, name, "footprint") == [
        SelectFrom("upper", "hover", (("channel", "channel"),))
    ]
    # upper's channels are lower's attribution *targets*: upper.channel binds lower.tchannel
    assert selections(name, name, "lower") == [
        SelectFrom("upper", "click", (("channel", "tchannel"),))
    ]
    assert free(name, name, "lower") == ["channel"]
    assert free(name, name, "footprint") == ["x", "y"]


def test_spatial_attribution_binds_positions_to_target_positions():
    name = "spatial_attribution"
    assert selections(name, name, "feeders") == [
        SelectFrom("saliency", "hover", (("x", "tx"), ("y", "ty")))
    ]
    assert selections(name, name, "classes") == [
        SelectFrom("saliency", "hover", (("x", "x"), ("y", "y")))
    ]
    saliency = program(name).interface(name).element("saliency")
    assert saliency.ops == (Reduce("pca", 3),)
    assert free(name, name, "saliency") == ["x", "y", "component"]
    assert free(name, name, "feeders") == ["x", "y"]
    assert free(name, name, "classes") == ["class"]


def test_semantic_dictionary_picks_positions_of_the_layer():
    name = "semantic_dictionary"
    picker = program(name).interface(name).element("picker")
    assert picker.presentation.option("grid").layer == "blocks.4.2.bn1"
    assert free(name, name, "picker") == ["x", "y"]
    assert selections(name, name, "dictionary") == [
        SelectFrom("picker", "hover", (("x", "x"), ("y", "y")))
    ]
    assert free(name, name, "dictionary") == ["channel"]


def test_neuron_groups_factorize_activations_of_a_non_negative_layer():
    name = "neuron_groups"
    icons = program(name).interface(name).element("icons")
    assert icons.content.source.groups == Groups("blocks.4.2.bn1", 6, "nmf", "activations", None)
    where = program(name).interface(name).element("where")
    assert where.content.source.footprint
    assert free(name, name, "where") == ["group", "x", "y"]
    assert free(name, name, "classes") == ["group", "class"]


def test_group_flow_connects_two_factorized_layers():
    assert free("group_flow", "group_flow", "flow") == ["group", "tgroup"]


def test_sanity_check_inherits_elements_and_compares_two_models():
    bound = program("sanity_check")
    trained, randomized = bound.interface("trained"), bound.interface("randomized")
    assert bound.comparisons == (("trained", "randomized"),)
    assert trained.model == ModelSpec("builtin", "efficientnet_lite0")
    assert randomized.model == ModelSpec("builtin", "efficientnet_lite0", weights="random", seed=0)
    assert randomized.elements == trained.elements
    assert (trained.title, randomized.title) == ("Trained weights", "Random weights")


def test_activation_grid_keeps_its_layout():
    bound = program("activation_grid").interface("activation_grid")
    assert bound.layout.names() == ["early", "mid", "late"]
    assert [e.presentation.kind for e in bound.elements] == ["grid"] * 3


def test_dataset_examples_compute_over_the_bundled_crops():
    from interp.data.datasets import DatasetSpec

    name = "dataset_examples"
    fires = program(name).interface(name).element("fires")
    assert fires.content.over == DatasetSpec("samples", crops=256, seed=0)
    assert selections(name, name, "fires") == [
        SelectFrom("detectors", "hover", (("channel", "channel"),))
    ]
    assert fires.ops[-1] == Top(8)
    assert free(name, name, "fires") == ["example", "x", "y"]  # positions ride along
    assert [a.name for a in fires.atom_axes] == ["example"]
    assert free(name, name, "supports") == ["example", "class"]


def test_activation_atlas_cells_select_members_and_directions():
    name = "activation_atlas"
    assert free(name, name, "atlas") == ["cell"]
    (members,) = selections(name, name, "members")
    assert (members.how, members.bindings) == ("members", (("cell", "example"),))
    (here,) = selections(name, name, "here")
    assert (here.how, here.bindings) == ("project", (("cell", "channel"),))
    assert free(name, name, "here") == ["x", "y"]


def test_model_alignment_correlates_each_model_with_the_other():
    name = "model_alignment"
    for interface, other in (("lite0", "efficientnet_lite1"), ("lite1", "efficientnet_lite0")):
        twins = program(name).interface(interface).element("twins")
        assert twins.content.kind == "correlation"
        assert twins.content.source.model is None and twins.content.target.model.name == other
        assert free(name, interface, "twins") == ["tchannel"]
        assert selections(name, interface, "twins") == [
            SelectFrom("detectors", "hover", (("channel", "channel"),))
        ]
