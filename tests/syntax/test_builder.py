"""The Python builder makes the parser's AST: the contract specs, rebuilt in
Python, equal the parsed files (comments aside), and builder → AST → text → AST
round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from gallery import CONTRACT, GALLERY

from interp import ast, load, parse, to_text
from interp.syntax.builder import (
    activations,
    atlas,
    attribution,
    bars,
    call,
    column,
    compare,
    correlation,
    dataset,
    examples,
    feature_vis,
    grid,
    heatmap,
    image,
    input,
    interface,
    layer,
    model,
    operation,
    output,
    presentation,
    reduce,
    ref,
    row,
    sample,
    samples,
    sankey,
    select,
    softmax,
    spec,
    sum_,
    top,
)

REPO = Path(__file__).parents[2]
SPECS = GALLERY

CHELSEA = sample("chelsea")


def activation_grid() -> ast.Spec:
    def grid_of(path: str):
        return activations(layer(path).spatial).as_(grid(size_by="magnitude"))

    return spec(
        interface(
            "activation_grid",
            "How the understanding evolves with depth",
            model="efficientnet_lite0",
            input=CHELSEA,
            elements={
                "early": grid_of("blocks.2.1.bn1"),
                "mid": grid_of("blocks.4.2.bn1"),
                "late": grid_of("blocks.5.3.bn1"),
            },
            layout=row("early", "mid", "late"),
        )
    )


def channel_attribution() -> ast.Spec:
    a, b = ref("a"), ref("b")
    return spec(
        interface(
            "channel_attribution",
            "Which detectors build the decision?",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"a": layer("blocks.3.2.bn1"), "b": layer("blocks.4.2.bn1")},
            elements={
                "classes": (activations(output) | softmax | top(3)).as_(bars),
                "upper": attribution(b.channels, output)
                .select(ref("classes").click)
                .top(8)
                .as_(feature_vis(bars=True)),
                "footprint": activations(b.spatial)
                .select(ref("upper").hover)
                .as_(heatmap(over=input)),
                "lower": attribution(a.channels, b.channels)
                .select(ref("upper").click)
                .top(8)
                .as_(feature_vis(bars=True)),
            },
        )
    )


def group_flow() -> ast.Spec:
    return spec(
        interface(
            "group_flow",
            "From parts to wholes",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={
                "lower": layer("blocks.3.2.bn1").groups(5),
                "upper": layer("blocks.4.2.bn1").groups(5),
            },
            elements={
                "flow": attribution(ref("lower"), ref("upper")).as_(sankey(icons=feature_vis)),
            },
        )
    )


def neuron_groups() -> ast.Spec:
    groups = ref("groups")
    return spec(
        interface(
            "neuron_groups",
            "Six groups tell the story",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"groups": layer("blocks.4.2.bn1").groups(6, factorize="nmf", of="activations")},
            elements={
                "icons": activations(groups).as_(feature_vis(bars=True)),
                "where": activations(groups.spatial).as_(heatmap(over=input, color="atom")),
                "classes": attribution(groups, output).top(3, per="source").as_(bars),
            },
        )
    )


def sanity_check() -> ast.Spec:
    cat = output["Egyptian cat"]
    trained = interface(
        "trained",
        "Trained weights",
        model="efficientnet_lite0",
        input=CHELSEA,
        elements={
            "saliency": attribution(input.spatial, cat).as_(heatmap(over=input)),
            "detectors": attribution(layer("blocks.4.2.bn1").channels, cat)
            .top(6)
            .as_(feature_vis(bars=True)),
        },
    )
    randomized = interface(
        "randomized",
        "Random weights",
        extends=trained,
        model=model("efficientnet_lite0", weights="random", seed=0),
    )
    return spec(trained, randomized, compare(trained, randomized))


def semantic_dictionary() -> ast.Spec:
    return spec(
        interface(
            "semantic_dictionary",
            "What does the network see here?",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"L": layer("blocks.4.2.bn1")},
            elements={
                "picker": input.as_(image(grid=ref("L").spatial)),
                "dictionary": activations(ref("L").channels)
                .select(ref("picker").hover)
                .top(8)
                .as_(feature_vis(bars=True)),
            },
        )
    )


def spatial_attribution() -> ast.Spec:
    a, b = ref("a"), ref("b")
    return spec(
        interface(
            "spatial_attribution",
            "Which positions support which classes?",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"a": layer("blocks.3.2.bn1"), "b": layer("blocks.4.2.bn1")},
            elements={
                "saliency": attribution(b.spatial, output)
                .reduce("pca", 3)
                .as_(grid(size_by="magnitude", color="value")),
                "classes": attribution(b.spatial, output)
                .select(ref("saliency").hover)
                .top(5)
                .as_(bars),
                "feeders": attribution(a.spatial, b.spatial)
                .select(ref("saliency").hover)
                .as_(heatmap(over=input)),
            },
        )
    )


def teaser() -> ast.Spec:
    mid = ref("mid")
    return spec(
        interface(
            "teaser",
            "Egyptian cat or tabby?",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"mid": layer("blocks.4.2.bn1"), "cats": output["Egyptian cat", "tabby"]},
            elements={
                "detectors": attribution(mid.channels, ref("cats"))
                .top(6, per="target")
                .as_(feature_vis(bars=True)),
                "where": activations(mid.spatial)
                .select(ref("detectors").hover)
                .as_(heatmap(over=input)),
            },
        )
    )


def dataset_examples() -> ast.Spec:
    mid, detectors = ref("mid"), ref("detectors")
    cat = output["Egyptian cat"]
    return spec(
        interface(
            "dataset_examples",
            "What makes these detectors fire?",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"mid": layer("blocks.4.2.bn1"), "pics": dataset(samples(), crops=256, seed=0)},
            elements={
                "detectors": attribution(mid.channels, cat).top(6).as_(feature_vis(bars=True)),
                "fires": activations(mid.spatial, over="pics")
                .select(detectors.hover)
                .top(8)
                .as_(examples),
                "supports": attribution(mid.channels, cat, over=ref("pics"))
                .select(detectors.hover)
                .top(8)
                .as_(examples),
            },
        )
    )


def activation_atlas() -> ast.Spec:
    mid, pics = ref("mid"), ref("pics")
    return spec(
        interface(
            "activation_atlas",
            "An atlas of what one layer sees",
            model="efficientnet_lite0",
            input=CHELSEA,
            let={"mid": layer("blocks.4.2.bn1"), "pics": dataset(samples(), crops=512, seed=0)},
            elements={
                "atlas": activations(mid.spatial, over=pics).as_(atlas(cells=12, layout="umap")),
                "members": activations(mid.spatial, over=pics)
                .select(ref("atlas").hover)
                .top(6)
                .as_(examples),
                "here": activations(mid.spatial)
                .select(ref("atlas").hover)
                .as_(heatmap(over=input)),
            },
            layout=row("atlas", column("members", "here")),
        )
    )


def model_alignment() -> ast.Spec:
    mine, detectors = ref("mine"), ref("detectors")
    cat = output["Egyptian cat"]
    lite0 = interface(
        "lite0",
        "EfficientNet-Lite0",
        model="efficientnet_lite0",
        input=CHELSEA,
        let={
            "pics": dataset(samples(), crops=256, seed=0),
            "mine": layer("blocks.4.2.bn1"),
            "yours": layer("blocks.4.2.bn1", model="efficientnet_lite1"),
        },
        elements={
            "detectors": attribution(mine.channels, cat).top(6).as_(feature_vis(bars=True)),
            "twins": correlation(mine.channels, ref("yours").channels, over="pics")
            .select(detectors.hover)
            .top(4)
            .as_(feature_vis(bars=True)),
            "saliency": attribution(mine.spatial, cat).as_(heatmap(over=input)),
        },
    )
    lite1 = interface(
        "lite1",
        "EfficientNet-Lite1",
        extends=lite0,
        model="efficientnet_lite1",
        let={"yours": layer("blocks.4.2.bn1", model="efficientnet_lite0")},
    )
    return spec(lite0, lite1, compare(lite0, lite1))


BUILT = {
    f.__name__: f
    for f in (
        activation_atlas,
        dataset_examples,
        model_alignment,
        activation_grid,
        channel_attribution,
        group_flow,
        neuron_groups,
        sanity_check,
        semantic_dictionary,
        spatial_attribution,
        teaser,
    )
}


def test_every_contract_spec_has_a_builder_twin():
    assert sorted(BUILT) == sorted(CONTRACT)


@pytest.mark.parametrize("name", sorted(BUILT))
def test_builder_equals_parser(name):
    built = BUILT[name]()
    assert built == load(SPECS / f"{name}.interp")


@pytest.mark.parametrize("name", sorted(BUILT))
def test_builder_text_round_trip(name):
    built = BUILT[name]()
    text = to_text(built)
    assert parse(text) == built
    assert to_text(parse(text)) == text


def arg(value, name=None):
    return ast.Arg(name=name, value=value)


def test_keyword_parameters_take_bare_names():
    assert top(6, per="target") == ast.Operation(
        name="top", args=(arg(ast.Num(value=6)), arg(ast.Name(name="target"), "per"))
    )
    assert reduce("pca", 3).args[0].value == ast.Name(name="pca")
    assert sum_(over="channel") == ast.Operation(
        name="sum", args=(arg(ast.Name(name="channel"), "over"),)
    )
    assert heatmap(over="input").args[0].value == ast.InputRef()
    assert sankey(icons="feature_vis") == sankey(icons=feature_vis)


def test_strings_stay_strings_elsewhere():
    assert model.torchvision("googlenet", weights="g.pth").node == ast.Call(
        name="torchvision",
        args=(arg(ast.Str(value="googlenet")), arg(ast.Str(value="g.pth"), "weights")),
    )
    assert model("efficientnet_lite0", weights="random").node.args[0].value == ast.Name(
        name="random"
    )
    # a weights file without an extension is still a path
    assert model.timm("resnet18", weights="weights").node.args[1].value == ast.Str(value="weights")
    assert select(class_="tabby") == ast.Operation(
        name="select", args=(arg(ast.Str(value="tabby"), "class"),)
    )
    assert select(channel=[12, 40], x=3).args[0].value == ast.ListValue(
        items=(ast.Num(value=12), ast.Num(value=40))
    )
    assert feature_vis(bars=True).args[0].value == ast.Bool(value=True)
    assert grid(size_by=ref("custom")).args[0].value == ast.Name(name="custom")


def test_values_and_members():
    assert ref("output").node == ast.OutputRef()
    assert output["tabby"].node == ast.OutputRef(labels=("tabby",))
    assert input.spatial.node == ast.Member(base=ast.InputRef(), name="spatial")
    assert ref("g").member("slice", 2).node == ast.Member(
        base=ast.Name(name="g"), name="slice", args=(arg(ast.Num(value=2)),)
    )
    method = call("integrated_gradients", steps=32)
    content = attribution(layer("x").neurons, output, method=method, maxpool="relaxed").content
    assert content.options == (
        arg(method.node, "method"),
        arg(ast.Name(name="relaxed"), "maxpool"),
    )
    assert repr(layer("x").channels) == '<layer("x").channels>'


def test_pipelines_by_method_or_pipe_are_the_same():
    by_method = activations(output).softmax().top(3).sum(over="class").as_(bars)
    by_pipe = (activations(output) | softmax | top(3) | sum_(over="class")).as_(bars)
    assert by_method == by_pipe
    assert (
        by_method.to_text("e")
        == "element e = activations(output) | softmax | top(3) | sum(over=class) as bars"
    )
    custom = activations(output).pipe(operation("clip", 0, 1)).as_(feature_vis)
    assert custom.ops[0].to_text() == "clip(0, 1)"


def test_layouts_nest():
    assert row("a", column("b", "c")).to_text() == "row(a, column(b, c))"


def test_interface_comment_prints_above_it():
    built = interface("t", comment="a note\nsecond line", model="m")
    assert to_text(built).startswith("# a note\n# second line\ninterface t {")


def test_mistakes_are_reported_early():
    with pytest.raises(TypeError, match=r"ref\('mid'\)"):
        activations("mid")
    with pytest.raises(TypeError, match="presentation"):
        activations(output).as_(top(3))
    with pytest.raises(TypeError, match="as_"):
        interface("t", elements={"e": activations(output)})
    with pytest.raises(TypeError, match="cannot use"):
        select(x={1: 2})


def test_names_must_print_as_names():
    with pytest.raises(ValueError, match="an interface name"):
        interface("my interface")
    with pytest.raises(ValueError, match="an element name"):
        interface("t", elements={"2nd": activations(output).as_(bars)})
    with pytest.raises(ValueError, match="a layout item"):
        row("a", "b c")
    with pytest.raises(ValueError, match="two or more"):
        compare("a")
    with pytest.raises(ValueError):
        ref("é")
    assert top(3, per="é").args[1].value == ast.Str(value="é")  # not a NAME: stays a string


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (lambda: select(**{"a-b": 1}), r"select\(\.\.\.\): a keyword name must be letters"),
        (lambda: select(input=3), r"select\(\.\.\.\): a keyword name cannot be 'input'"),
        (lambda: call("true"), "a call's name cannot be 'true'"),
        (lambda: call("layer", "x"), "a call's name cannot be 'layer'"),
        (lambda: call("f g"), "a call's name must be letters"),
        (lambda: operation("output"), "an operation's name cannot be 'output'"),
        (lambda: presentation("my bars"), "a presentation's name must be letters"),
        (lambda: layer("x").member("a.b"), "a member name must be letters"),
        (lambda: interface("t", extends="my base"), "extends must be letters"),
        (lambda: call("activations", ref("a")).as_(bars), "builder's activations"),
    ],
)
def test_names_the_grammar_cannot_read_back_are_refused(build, says):
    with pytest.raises(ValueError, match=says):
        build()


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (lambda: top(float("nan")), r"top\(\.\.\.\): argument 1 nan is not a finite number"),
        (lambda: top(float("inf")), r"top\(\.\.\.\): argument 1 inf is not a finite number"),
        (lambda: select(channel=[1, -float("inf")]), r"select\(\.\.\.\): channel= -inf"),
        (
            lambda: call("integrated_gradients", steps=float("nan")),
            r"integrated_gradients\(\.\.\.\): steps= nan",
        ),
        (lambda: top(10**5000), r"top\(\.\.\.\): argument 1 an integer of \d+ bits"),
    ],
)
def test_numbers_that_do_not_print_as_themselves_are_refused(build, says):
    with pytest.raises(ValueError, match=says):
        build()


def test_the_ast_itself_holds_only_printable_numbers():
    for bad in (float("nan"), float("inf"), 10**5000):
        with pytest.raises(ValueError):
            ast.Num(value=bad)


def test_keywords_of_the_language_are_fine_where_they_read_back_as_names():
    built = spec(
        interface(
            "model",
            let={"element": layer("x")},
            elements={"as": activations(ref("element").channels).as_(bars)},
            layout=row("as"),
        )
    )
    assert parse(to_text(built)) == built
