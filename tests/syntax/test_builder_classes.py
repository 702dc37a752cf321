"""The class-level forms (`D.where(...)`, aggregates over examples) from the builder and
back through the formatter: builder == parser, and text round-trips."""

from __future__ import annotations

from gallery import spec_path

from interp import load, parse, to_text
from interp.syntax.builder import (
    activations,
    attribution,
    column,
    count,
    dataset,
    examples,
    feature_vis,
    interface,
    layer,
    mean,
    output,
    quantile,
    ref,
    row,
    sample,
    samples,
    sankey,
    spec,
)


def class_view():
    cats = ref("cats")
    high, mid, low = ref("high"), ref("mid"), ref("low")
    to_class = lambda over: attribution(high.channels, output["Egyptian cat"], over=over)  # noqa: E731
    return spec(
        interface(
            "class_view",
            "Egyptian cat across its crops",
            model="efficientnet_lite0",
            input=sample("chelsea"),
            let={
                "low": layer("blocks.2"),
                "mid": layer("blocks.3"),
                "high": layer("blocks.4"),
                "pics": dataset(samples(), crops=128, seed=5, labels="class_view_labels.csv"),
                "cats": ref("pics").where(label="Egyptian cat"),
            },
            elements={
                "carriers": to_class(cats).mean(over="example").top(6).as_(feature_vis(bars=True)),
                "carried_by": to_class(cats).select(ref("carriers").hover).top(6).as_(examples),
                "upper": attribution(mid.channels, high.channels, over=cats)
                .mean(over="example")
                .select(tchannel=[102, 56, 111, 4, 10, 85])
                .top(2, per="target")
                .as_(sankey(icons="feature_vis")),
                "lower": attribution(low.channels, mid.channels, over=cats)
                .mean(over="example")
                .select(tchannel=[14, 34, 36, 38, 41, 58, 66, 73, 79])
                .top(2, per="target")
                .as_(sankey(icons="feature_vis")),
                "feeding": activations(mid.channels, over=cats)
                .select(ref("upper").hover)
                .top(6)
                .as_(examples),
                "right": activations(high.channels, over=cats.where(correct=True))
                .select(ref("carriers").hover)
                .top(6)
                .as_(examples),
                "wrong": activations(high.channels, over=cats.where(correct=False))
                .select(ref("carriers").hover)
                .top(6)
                .as_(examples),
            },
            layout=column(
                row("carriers", "carried_by"),
                row("lower", "upper"),
                "feeding",
                row("right", "wrong"),
            ),
        )
    )


def test_the_class_page_from_the_builder_equals_the_parsed_spec():
    built = class_view()
    assert built == load(spec_path("class_view"))
    text = to_text(built)
    assert parse(text) == built and to_text(parse(text)) == text


def test_aggregates_and_where_round_trip_through_text():
    pics = dataset("photos/*/*.jpg", labels="labels.csv").to_value()
    forms = [
        activations(layer("a").channels, over=ref("pics").where(label=["cat", "dog"]))
        | mean(over="example"),
        activations(layer("a").channels, over=ref("pics").where(predicted="tabby"))
        | count(over="example", top=5),
        activations(layer("a").spatial, over=ref("pics")) | quantile(0.9, over="example"),
    ]
    texts = [" ".join(f.as_(feature_vis).to_text("e").split()) for f in forms]
    assert texts[0].endswith(
        'over=pics.where(label=["cat", "dog"])) | mean(over=example) as feature_vis'
    )
    assert 'where(predicted="tabby")) | count(over=example, top=5)' in texts[1]
    assert "| quantile(0.9, over=example)" in texts[2]
    assert pics.to_text() == 'dataset("photos/*/*.jpg", labels="labels.csv")'
    for form in forms:
        element = form.as_(feature_vis)
        source = f"interface i {{\n  {element.to_text('e')}\n}}\n"
        parsed = parse(source)
        assert parsed.interfaces[0].elements[0].content == element.content
        assert parsed.interfaces[0].elements[0].ops == element.ops
        assert parse(to_text(parsed)) == parsed
