"""`interp.run`'s Result: its text, its notebook display, save, chart and icons."""

from __future__ import annotations

import html
import json
import re

import altair as alt
import numpy as np
import pytest

import interp
from interp.execute.words import spelled
from interp.render.notebook import spec_extent

TINY = {"quality": "draft", "icon_size": 32, "icon_steps": 2, "progress": False, "device": "cpu"}

TEASER = """interface teaser "Egyptian cat or tabby?" {
  model efficientnet_lite0
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  element detectors = attribution(mid.channels -> output["Egyptian cat", "tabby"])
                    | top(3, per=target) as feature_vis(bars=true)
  element where = activations(mid.spatial) | select(detectors.hover) as heatmap(over=input)
}"""

TWO = """interface a {
  model efficientnet_lite0
  input sample("chelsea")
  element classes = activations(output) | top(3) as bars
}
interface b extends a {
  input sample("coffee")
}"""


@pytest.fixture(scope="module")
def teaser():
    return interp.run(TEASER, **TINY)


def test_the_text_repr_names_interfaces_elements_and_shapes(teaser):
    text = repr(teaser)
    assert text.splitlines() == [
        "interp.Result: 1 interface",
        'teaser "Egyptian cat or tabby?" (efficientnet_lite0, sample: chelsea)',
        *text.splitlines()[2:],
    ]
    detectors, detectors_content, where, where_content = text.splitlines()[2:]
    assert re.match(
        r"  detectors  feature_vis  \(channel: \d+, class: 2\)\s+6 values kept, \d icons$",
        detectors,
    )
    assert detectors_content.strip() == (
        'attribution(blocks.4.2.bn1.channels -> output["Egyptian cat", "tabby"])'
    )
    assert re.match(
        r"  where      heatmap      \(key_detectors: \d+, y: 14, x: 14\)\s+\d+ values, by detectors.hover$",
        where,
    )
    assert where_content.strip() == "activations(blocks.4.2.bn1.spatial)"
    assert repr(teaser.interfaces[0]) == "<InterfaceResult teaser: elements detectors, where>"
    assert repr(teaser.pages[0]) == "<PageView teaser: detectors (feature_vis), where (heatmap)>"
    assert repr(teaser.pages[0].elements[1]).startswith("<ElementView where as heatmap: ")


def test_the_notebook_display_is_the_whole_page_in_an_isolated_frame(teaser):
    shown = teaser._repr_html_()
    assert shown.startswith('<iframe class="interp-frame" title="Egyptian cat or tabby?"')
    assert shown.count("<iframe") == 1 and shown.endswith("</iframe>")
    srcdoc = re.search(r'srcdoc="([^"]*)"', shown).group(1)
    assert "<" not in srcdoc  # escaped: nothing of the page is markup in the notebook
    document = html.unescape(srcdoc)
    assert document.startswith("<!DOCTYPE html>") and "window.frameElement" in document
    assert document.rstrip().endswith("</html>")
    height = int(re.search(r'style="width: 100%; height: (\d+)px', shown).group(1))
    assert 300 < height < 1500


def test_spec_extent_adds_up_rows_and_columns():
    unit = {"width": 100, "height": 50}
    row = {"concat": [unit, unit], "columns": 2, "spacing": 10}
    column = {"concat": [row, unit], "columns": 1, "spacing": 10}
    assert spec_extent(row) == (210, 90)
    assert spec_extent(column) == (210, 90 + 10 + 90)


def test_icons_are_arrays_by_atom_strongest_first(teaser):
    icons = teaser.icons("detectors")
    shown = list(dict.fromkeys(teaser.pages[0].elements[0].table["atom"]))
    assert list(icons) == shown
    assert all(a.startswith("ch ") for a in icons)
    for picture in icons.values():
        assert picture.shape == (32, 32, 3) and picture.dtype == np.uint8
    stacked = teaser.icons("detectors", stacked=True)
    assert stacked.dims == ("atom", "y", "x", "rgb")
    assert list(stacked.coords["atom"].values) == list(icons)
    assert np.array_equal(stacked.sel(atom=shown[0]).values, icons[shown[0]])
    assert teaser.icons("where") == {}
    with pytest.raises(ValueError, match="shows no feature visualizations"):
        teaser.icons("where", stacked=True)


def test_chart_is_one_element_as_a_standalone_altair_chart(teaser):
    chart = teaser.chart("where")
    assert isinstance(chart, alt.TopLevelMixin)
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    first = teaser.pages[0].elements[0].table["key_detectors"].iloc[0]
    assert spec["title"]["subtitle"][-1].startswith("showing channel ")
    assert spec["title"]["subtitle"][-1].endswith(" of detectors")
    rows = spec["datasets"]["where__rows"]
    where = teaser.pages[0].elements[1].table
    shown = where[where["key_detectors"] == first]
    assert len(rows) == len(shown) == 14 * 14
    assert sorted(row["value"] for row in rows) == pytest.approx(sorted(shown["value"]), abs=1e-4)
    assert "detectors_hover" not in json.dumps(spec)  # no param of another view

    table = teaser.pages[0].elements[0].table
    other = table["key_detectors"].iloc[-1]
    label = table["atom"].iloc[-1]
    channel, kind = other.split(",")
    for atom in (other, (int(channel), kind)):
        chosen = teaser.chart("where", selected={"detectors": atom}).to_dict()
        assert chosen["title"]["subtitle"][-1] == f"showing {spelled(label)} of detectors"
    labels = table["atom"].value_counts()
    unique, twice = labels[labels == 1].index, labels[labels > 1].index
    if len(unique):
        chosen = teaser.chart("where", selected={"detectors": unique[0]}).to_dict()
        assert chosen["title"]["subtitle"][-1] == f"showing {spelled(unique[0])} of detectors"
    if len(twice):
        with pytest.raises(ValueError, match="several atoms labelled"):
            teaser.chart("where", selected={"detectors": twice[0]})
    with pytest.raises(ValueError, match="offers no atom 'ch 99999'"):
        teaser.chart("where", selected={"detectors": "ch 99999"})
    with pytest.raises(ValueError, match="no element of 'teaser' selects on"):
        teaser.chart("where", selected={"where": "1"})
    assert teaser.chart("detectors").to_dict()["params"]  # its own hover highlight stays


def test_save_writes_by_suffix(teaser, tmp_path):
    written = {s: teaser.save(tmp_path / f"page{s}") for s in (".html", ".png", ".json", ".svg")}
    assert written[".html"].read_text().startswith("<!DOCTYPE html>")
    assert written[".png"].read_bytes().startswith(b"\x89PNG")
    assert json.loads(written[".json"].read_text())["$schema"].startswith("https://vega")
    assert "<svg" in written[".svg"].read_text()[:200]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in written.values())
    with pytest.raises(ValueError, match=r"cannot save a page as '\.pdf'") as caught:
        teaser.save(tmp_path / "page.pdf")
    assert ".html, .png, .json, .svg" in str(caught.value)


def test_several_interfaces_save_one_by_name(tmp_path):
    result = interp.run(TWO, **TINY)
    assert result._repr_html_().count("<iframe") == 2
    with pytest.raises(ValueError, match="2 interfaces and no `compare`") as caught:
        result.save(tmp_path / "two.html")
    assert "interface='a' or interface='b'" in str(caught.value)
    assert (
        "input <code>sample: coffee</code>"
        in result.save(tmp_path / "b.html", interface="b").read_text()
    )
    with pytest.raises(ValueError, match="no interface 'c'"):
        result.save(tmp_path / "c.html", interface="c")
    with pytest.raises(KeyError, match="did you mean 'classes'"):
        result.array("class")


DIVERSE = """interface div {
  model efficientnet_lite0
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  element strips = activations(mid.channels) | top(2) as feature_vis(diversity=3)
  element singles = activations(mid.channels) | top(2) as feature_vis
}"""


def test_feature_vis_diversity_draws_a_strip_of_pictures_per_atom():
    from interp.plan.describe import describe
    from interp.plan.nodes import Visualize
    from interp.render import page_spec
    from interp.render.pictures import image_size, strip_width

    assert "as feature_vis(diversity=3)" in interp.to_text(interp.parse(DIVERSE))
    result = interp.run(DIVERSE, **TINY)
    assert sorted(batch.diversity for batch in result.plan.of(Visualize)) == [1, 3]
    assert "3 diverse pictures per atom" in describe(result.plan)

    strips, singles = result.icons("strips"), result.icons("singles")
    assert list(strips) == list(singles) and len(strips) == 2
    assert all(p.shape == (3, 32, 32, 3) for p in strips.values())
    assert all(p.shape == (32, 32, 3) for p in singles.values())
    assert result.icons("strips", stacked=True).dims == ("atom", "sample", "y", "x", "rgb")

    views = {view.name: view for view in result.pages[0].elements}
    assert image_size(views["strips"].table["icon"].iloc[0]) == (3 * 32 + 2 * 2, 32)
    assert image_size(views["singles"].table["icon"].iloc[0]) == (32, 32)
    datasets = page_spec(result.pages[0])["datasets"]
    widths = {
        name: {row["_x2"] - row["_x"] for row in datasets[f"{name}__rows"]}
        for name in ("strips", "singles")
    }
    assert widths == {"strips": {strip_width(64, 3)}, "singles": {64}}
    assert "2 icons" in repr(result)


def test_data_refuses_wrong_types_naming_the_argument(teaser):
    with pytest.raises(TypeError, match=r"element takes an element's name \(a str\), not int"):
        teaser.data(3)
    with pytest.raises(TypeError, match="interface takes an interface's name"):
        teaser.data("detectors", interface=["teaser"])
    with pytest.raises(TypeError, match="every_example takes True or False"):
        teaser.data("detectors", every_example="yes")
    assert len(teaser.data("detectors")) > 0


def test_a_chart_displays_and_saves_with_no_network(teaser, tmp_path):
    chart = teaser.chart("where").properties(title="mine")  # derived charts stay offline
    bundle = chart._repr_mimebundle_()
    shown = html.unescape(bundle["text/html"])
    assert shown.startswith("<iframe") and "cdn.jsdelivr" not in shown
    assert "vegaEmbed" in shown and "function" in shown  # the scripts are in the document
    chart.save(tmp_path / "where.html")
    saved = (tmp_path / "where.html").read_text()
    assert "cdn.jsdelivr" not in saved and "vegaEmbed" in saved
    chart.save(tmp_path / "where.json")
    assert json.loads((tmp_path / "where.json").read_text())["title"] == "mine"


def test_exported_names_and_one_line_reprs(teaser):
    from tiny import tiny_model

    assert interp.Result is type(teaser)
    handle = tiny_model(labels=("a", "b", "c"))
    text = repr(handle)
    assert "\n" not in text and "Sequential" in text and "3 classes" in text and "32px" in text
