"""interp.variants: a family of specs differing in one dimension, compared on one page."""

from __future__ import annotations

import pytest
from gallery import spec_path

import interp
from interp.plan.nodes import Forward

LAYERS = ["blocks.3.2.bn1", "blocks.4.2.bn1", "blocks.5.3.bn1"]


def test_layer_variants_are_children_that_replace_only_the_let():
    spec = interp.variants(spec_path("teaser"), element="detectors", layer=LAYERS)
    children = spec.interfaces[1:]
    assert [c.extends for c in children] == ["teaser"] * 3
    assert [c.body for c in children] == [
        interp.parse(f'interface x {{\n  let mid = layer("{path}")\n}}').interfaces[0].body
        for path in LAYERS
    ]
    assert spec.comparisons[-1].names == tuple(c.name for c in children)
    assert interp.parse(interp.to_text(spec)) == spec  # an ordinary spec


def test_three_teaser_variants_render_one_compare_page_with_one_metrics_table():
    spec = interp.variants(spec_path("teaser"), element="detectors", layer=LAYERS)
    result = interp.run(spec, quality="draft", icon_size=32, icon_steps=2, progress=False)
    view = result.comparison()
    assert [p.name for p in view.pages] == [c.name for c in spec.interfaces[1:]]
    metrics = result.metrics()
    assert set(metrics["interface"]) == {c.name for c in spec.interfaces[1:]}
    assert {"coverage", "randomization", "path_dependence"} <= set(metrics["metric"])
    # the base interface and the variant on its own layer share their work
    forwards = [
        f for f in result.plan.of(Forward) if f.model.weights is None
    ]  # not randomization's
    assert len(forwards) == 3
    layers = {f.layers for f in forwards}
    assert layers == {(path,) for path in LAYERS}
    html = interp.render.render_comparison(view)
    assert html.count("<section>") == 3


def test_method_and_model_variants():
    spec = interp.variants(
        spec_path("sanity_check"),
        interface="trained",
        element="saliency",
        method=["linear", "grad_cam"],
    )
    program = interp.check(spec, bind_models=False)
    methods = [
        program.interface(c).element("saliency").content.method.name
        for c in spec.comparisons[-1].names
    ]
    assert methods == ["linear", "grad_cam"]
    models = interp.variants(
        spec_path("teaser"), element="detectors", model=["efficientnet_lite0", "efficientnet_lite1"]
    )
    program = interp.check(models, bind_models=False)
    assert [program.interface(c).model.name for c in models.comparisons[-1].names] == [
        "efficientnet_lite0",
        "efficientnet_lite1",
    ]


def test_variants_refuse_what_they_cannot_vary():
    with pytest.raises(ValueError, match="no element"):
        interp.variants(spec_path("teaser"), element="nope", layer=LAYERS)
    with pytest.raises(TypeError, match="one dimension"):
        interp.variants(spec_path("teaser"), element="detectors", layer=LAYERS, method=["x", "y"])
    with pytest.raises(ValueError, match="at least two"):
        interp.variants(spec_path("teaser"), element="detectors", layer=["blocks.3.2.bn1"])
    with pytest.raises(ValueError, match="not an attribution"):
        interp.variants(spec_path("teaser"), element="where", method=["linear", "grad_cam"])


def test_a_mistaken_variant_is_located_in_the_printed_variant_not_the_base():
    spec = interp.variants(spec_path("teaser"), element="detectors", method=["gradcam", "linear"])
    with pytest.raises(interp.InterpError) as caught:
        interp.check(spec)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span.file == "<interp.variants method=['gradcam', 'linear']>"
    shown = caught.value.render()
    assert "method=gradcam)" in shown and "did you mean 'grad_cam'?" in shown
    printed = interp.to_text(spec).splitlines()
    child = printed.index(next(line for line in printed if "extends teaser" in line))
    assert "method=gradcam" in printed[child + diagnostic.span.line - 1]  # the printed line

    spec = interp.variants(spec_path("teaser"), element="detectors", layer=["blocks.4.2.bn9", "x"])
    with pytest.raises(interp.InterpError) as caught:
        interp.check(spec)
    first = caught.value.render().split("\n")[:2]
    assert 'let mid = layer("blocks.4.2.bn9")' in first[1]  # not the base's bn1 line


def test_a_mistake_in_a_built_interface_is_located_in_its_printed_text():
    from interp.syntax.builder import attribution, bars, interface, layer, output, sample

    built = interface(
        "t",
        model="efficientnet_lite0",
        input=sample("chelsea"),
        elements={
            "d": attribution(layer("blocks.4.2.bn9").channels, output["tabby"]).top(3).as_(bars())
        },
    )
    with pytest.raises(interp.InterpError) as caught:
        interp.check(built)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.span.file == "<built in Python>"
    line = interp.to_text(built).splitlines()[diagnostic.span.line - 1]
    assert line.startswith('  element d = attribution(layer("blocks.4.2.bn9")')
    assert "^^^" in caught.value.render()
