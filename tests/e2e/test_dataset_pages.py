"""The contract specs over datasets, rendered and used in Chromium with the network cut off.

Hovering a detector changes the dataset examples shown; hovering an atlas cell
changes its members and the heatmap of where its idea appears in the input;
hovering a Lite0 detector in the model comparison changes its Lite1 twins.
The passes run once a session (`gallery.shared_cache`); icons are tiny.
"""

from __future__ import annotations

import pytest
from gallery import shared_cache, spec_path

from interp.options import Options
from interp.pipeline import run
from interp.render import write_outputs

pytestmark = pytest.mark.browser

OPTIONS = dict(quality="draft", progress=False, icon_size=32, icon_steps=2, device="cpu")


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("dataset_pages")
    written = {}
    for name in ("dataset_examples", "activation_atlas", "model_alignment"):
        result = run(spec_path(name), Options(**OPTIONS, cache=shared_cache()))
        shown = result.comparison() or result.pages[0]
        written[name] = folder / f"{name}.html"
        write_outputs(shown, written[name])
    return written


def keys(opened, view: str, mark: str, key: str) -> set[str]:
    return {row[key] for row in opened.rows(view, mark)}


@pytest.mark.parametrize("name", ["dataset_examples", "activation_atlas", "model_alignment"])
def test_dataset_pages_draw_offline_without_errors(open_page, pages, name):
    opened = open_page(pages[name], width=1800)
    assert opened.page.evaluate("document.body.dataset.ready") == "true"
    assert opened.console_errors == [] and opened.blocked == []
    assert opened.page.locator(".interp-view svg").count() >= 1


def test_hovering_a_detector_changes_the_examples_shown(open_page, pages):
    opened = open_page(pages["dataset_examples"], width=1800)
    view = "dataset_examples"
    frames = opened.items(view, "detectors__frame")
    first, third = (frames[i]["datum"]["key_detectors"] for i in (0, 2))
    before = opened.rows(view, "fires__icons")
    assert {row["key_detectors"] for row in before} == {first} and len(before) == 8
    assert keys(opened, view, "supports__frame", "key_detectors") == {first}
    opened.hover(frames[2]["box"])
    after = opened.rows(view, "fires__icons")
    assert {row["key_detectors"] for row in after} == {third} and len(after) == 8
    assert {r["example"] for r in after} != {r["example"] for r in before}
    assert keys(opened, view, "supports__frame", "key_detectors") == {third}
    marks = opened.rows(view, "fires__marks")  # each thumbnail outlines its unit
    assert len(marks) == 8 and all(m["_mx2"] > m["_mx"] for m in marks)
    assert opened.console_errors == []


def test_hovering_an_atlas_cell_changes_its_members_and_the_heatmap(open_page, pages):
    opened = open_page(pages["activation_atlas"], width=1800)
    view = "activation_atlas"
    cells = opened.items(view, "atlas__cells")
    first = cells[0]["datum"]["key_atlas"]
    assert keys(opened, view, "members__frame", "key_atlas") == {first}
    assert keys(opened, view, "here__cells", "key_atlas") == {first}
    before = {r["example"] for r in opened.rows(view, "members__frame")}
    target = cells[len(cells) // 2]
    opened.hover(target["box"])
    chosen = target["datum"]["key_atlas"]
    assert opened.signal(view, "atlas_hover")["key_atlas"] == [chosen]
    assert keys(opened, view, "members__frame", "key_atlas") == {chosen}
    assert {r["example"] for r in opened.rows(view, "members__frame")} != before
    assert keys(opened, view, "here__cells", "key_atlas") == {chosen}
    assert len(opened.rows(view, "here__cells")) == 14 * 14
    # as in the Activation Atlas article: the hovered cell's icon fills its cell, and its
    # count is written in it rather than shown by shrinking the icon
    icon = next(i for i in opened.items(view, "atlas__icons") if i["datum"]["key_atlas"] == chosen)
    filled = icon["box"]["width"] * icon["box"]["height"]
    assert filled >= 0.8 * target["box"]["width"] * target["box"]["height"]
    counts = {
        i["datum"]["key_atlas"]: i["datum"]["value"] for i in opened.items(view, "atlas__counts")
    }
    assert counts[chosen] == target["datum"]["value"] > 0
    assert "along the hovered atlas cell's direction" in opened.subtitle(view, "here")
    assert opened.console_errors == []


def test_hovering_a_lite0_detector_changes_its_lite1_twins(open_page, pages):
    opened = open_page(pages["model_alignment"], width=1800)
    views = opened.page.evaluate("Object.keys(window.__interp_views)")
    assert sorted(views) == ["deletion", "lite0", "lite1"]  # two models, one curves chart
    frames = opened.items("lite0", "lite0__detectors__frame")
    first, fourth = (frames[i]["datum"]["key_detectors"] for i in (0, 3))
    before = opened.rows("lite0", "lite0__twins__frame")
    assert {r["key_detectors"] for r in before} == {first} and len(before) == 4
    opened.hover(frames[3]["box"])
    after = opened.rows("lite0", "lite0__twins__frame")
    assert {r["key_detectors"] for r in after} == {fourth} and len(after) == 4
    assert [r["atom"] for r in after] != [r["atom"] for r in before]
    untouched = opened.rows("lite1", "lite1__twins__frame")
    assert {r["key_detectors"] for r in untouched} == {
        opened.items("lite1", "lite1__detectors__frame")[0]["datum"]["key_detectors"]
    }
    assert opened.console_errors == []
