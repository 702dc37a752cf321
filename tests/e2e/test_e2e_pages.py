"""Written pages open offline in Chromium, draw, and respond to hover and click."""

from __future__ import annotations

import pytest
import synthetic_pages as synthetic

from interp.execute.views import PageView
from interp.render import write_outputs

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict:
    """Every synthetic page (and the comparison) written once for the module."""
    folder = tmp_path_factory.mktemp("pages")
    written = {}
    for name, make in synthetic.PAGES.items():
        written[name] = folder / f"{name}.html"
        write_outputs(make(), written[name])
    written["comparison"] = folder / "comparison.html"
    write_outputs(synthetic.comparison(), written["comparison"])
    return written


@pytest.mark.parametrize("name", [*synthetic.PAGES, "comparison"])
def test_page_draws_offline_without_errors(open_page, pages, name):
    opened = open_page(pages[name])
    assert opened.page.evaluate("document.body.dataset.ready") == "true"
    assert opened.console_errors == []
    assert opened.blocked == []
    assert opened.page.locator(".interp-view svg").count() >= 1
    assert opened.page.evaluate("Object.keys(window.__interp_views).length") >= 1


def test_hovering_a_detector_changes_the_heatmap(open_page, pages):
    opened = open_page(pages["teaser"])
    frames = opened.items("teaser", "detectors__frame")
    first, third = frames[0]["datum"]["key_detectors"], frames[2]["datum"]["key_detectors"]
    assert {row["key_detectors"] for row in opened.rows("teaser", "where__cells")} == {first}
    caption = opened.rows("teaser", "where__caption_detectors_hover")[0]["_caption"]
    assert caption == "hovering channel " + first + " in detectors"

    opened.hover(frames[2]["box"])
    assert {row["key_detectors"] for row in opened.rows("teaser", "where__cells")} == {third}

    # the last hovered atom stays when the pointer moves on to the view's background
    # (between two rows of icons), to marks without atoms (a group heading), or away
    box = frames[2]["box"]
    opened.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] + 4)
    opened.hover(opened.items("teaser", "detectors__series")[0]["box"])
    opened.page.mouse.move(5, 5)
    assert {row["key_detectors"] for row in opened.rows("teaser", "where__cells")} == {third}
    assert opened.console_errors == []


def test_clicking_a_bar_changes_the_dependent_icons(open_page, pages):
    opened = open_page(pages["channel_attribution"])
    hits = opened.items("channel_attribution", "classes__hit")
    labels = [hit["datum"]["atom"] for hit in hits]
    assert labels[0] == "Egyptian cat"
    before = opened.rows("channel_attribution", "upper__frame")
    assert {row["key_classes"] for row in before} == {"Egyptian cat"}

    tabby = hits[labels.index("tabby")]
    opened.hover(tabby["box"])  # hovering alone selects nothing: classes offers click
    assert {row["key_classes"] for row in opened.rows("channel_attribution", "upper__frame")} == {
        "Egyptian cat"
    }
    opened.click(tabby["box"])
    after = opened.rows("channel_attribution", "upper__frame")
    assert {row["key_classes"] for row in after} == {"tabby"}
    assert [row["atom"] for row in after] != [row["atom"] for row in before]

    # a chain: hovering an icon of `upper` drives `footprint`
    frames = opened.items("channel_attribution", "upper__frame")
    opened.hover(frames[3]["box"])
    shown = {row["key_upper"] for row in opened.rows("channel_attribution", "footprint__cells")}
    assert shown == {frames[3]["datum"]["key_upper"]}
    assert opened.console_errors == []


def test_hovering_an_image_cell_picks_its_position(open_page, pages):
    opened = open_page(pages["semantic_dictionary"])
    assert {
        row["key_picker"] for row in opened.rows("semantic_dictionary", "dictionary__frame")
    } == {"0,0"}
    cells = opened.items("semantic_dictionary", "picker__cells")
    target = next(cell for cell in cells if cell["datum"]["key_picker"] == "5,7")
    opened.hover(target["box"])
    assert opened.signal("semantic_dictionary", "picker_hover")["key_picker"] == ["5,7"]
    shown = opened.rows("semantic_dictionary", "dictionary__frame")
    assert {row["key_picker"] for row in shown} == {"5,7"}
    assert len(shown) == 8
    outlined = [
        path
        for path in opened.page.locator("g.picker__outline_marks > path").all()
        if (path.get_attribute("stroke") or "none") != "none"
    ]
    assert len(outlined) == 1


def test_hovering_the_activation_grid_drives_two_views(open_page, pages):
    opened = open_page(pages["spatial_attribution"])
    cells = opened.items("spatial_attribution", "saliency__cells")
    target = next(cell for cell in cells if cell["datum"]["key_saliency"] == "9,4")
    opened.hover(target["box"])
    for mark in ("classes__bars", "feeders__cells"):
        rows = opened.rows("spatial_attribution", mark)
        assert rows and {row["key_saliency"] for row in rows} == {"9,4"}


def test_comparison_pages_select_independently(open_page, pages):
    opened = open_page(pages["comparison"], width=1800)
    views = opened.page.evaluate("Object.keys(window.__interp_views)")
    assert views == ["teaser", "randomized"]
    frames = opened.items("teaser", "teaser__detectors__frame")
    opened.hover(frames[4]["box"])
    key = frames[4]["datum"]["key_detectors"]
    assert {r["key_detectors"] for r in opened.rows("teaser", "teaser__where__cells")} == {key}
    untouched = {r["key_detectors"] for r in opened.rows("randomized", "randomized__where__cells")}
    assert untouched == {frames[0]["datum"]["key_detectors"]}


def test_hostile_strings_show_as_text(open_page, tmp_path):
    hostile = "<script>alert(1)</script>"
    page = synthetic.teaser()
    page = PageView(
        name=page.name,
        title=hostile,
        elements=page.elements,
        model=f'{hostile} & "quotes"',
        input="</script><img src=x onerror=alert(2)>",
    )
    path = tmp_path / "hostile.html"
    write_outputs(page, path)
    opened = open_page(path)
    assert opened.page.locator("h1").text_content() == hostile
    assert hostile in opened.page.locator("header").text_content()
    assert opened.page.locator("header img").count() == 0
    assert opened.console_errors == []
    assert opened.page.evaluate("document.body.dataset.ready") == "true"


def _numbers(opened, view: str, mark: str) -> list[str]:
    found = opened.page.evaluate(
        """([viewName, markName]) => {
          const out = [];
          (function walk(node) {
            if (!node) return;
            if (node.marktype) {
              if (node.name === markName) for (const item of node.items) out.push(item.text);
              else for (const item of node.items || []) walk(item);
              return;
            }
            for (const child of node.items || []) walk(child);
          })(window.__interp_views[viewName].scenegraph().root);
          return out;
        }""",
        [view, f"{mark}_marks"],
    )
    return [str(text) for text in found]


def test_bars_and_icon_bars_write_their_values(open_page, pages):
    opened = open_page(pages["channel_attribution"])
    shown = sorted(
        row["value"] for row in opened.rows("channel_attribution", "classes__numbers_positive")
    )
    written = _numbers(opened, "channel_attribution", "classes__numbers_positive")
    assert len(written) == len(shown) >= 3
    assert sorted(float(t) for t in written) == pytest.approx(shown, rel=5e-3)
    before = _numbers(opened, "channel_attribution", "upper__numbers")
    values = [row["value"] for row in opened.rows("channel_attribution", "upper__numbers")]
    assert [float(t) for t in before] == pytest.approx(values, rel=5e-2)  # 2 digits
    hits = opened.items("channel_attribution", "classes__hit")
    opened.click(hits[[h["datum"]["atom"] for h in hits].index("tabby")]["box"])
    assert _numbers(opened, "channel_attribution", "upper__numbers") != before
    assert opened.console_errors == []


@pytest.mark.parametrize("position", ["9,4", "2,11"])
def test_a_grid_and_the_input_above_it_select_the_same_position(open_page, pages, position):
    opened = open_page(pages["spatial_attribution"])
    cells = [c for c in opened.items("spatial_attribution", "saliency__cells")]
    mine = sorted(
        (c for c in cells if c["datum"]["key_saliency"] == position), key=lambda c: c["box"]["y"]
    )
    assert len(mine) == 2  # its patch of the input, and its cell of the grid below
    patch, cell = mine
    assert patch["box"]["y"] + patch["box"]["height"] <= cell["box"]["y"]
    assert patch["box"]["width"] == pytest.approx(cell["box"]["width"], abs=0.5)  # same scale
    assert opened.items("spatial_attribution", "saliency__image")  # the photo is drawn
    opened.hover(patch["box"])  # hovering the photo picks the position, as the grid does
    rows = opened.rows("spatial_attribution", "classes__bars")
    assert rows and {row["key_saliency"] for row in rows} == {position}
    outlined = [
        i
        for i in opened.items("spatial_attribution", "saliency__outline")
        if i["datum"]["key_saliency"] == position
    ]
    assert len(outlined) == 2  # outlined on the photo and on the grid
    assert opened.console_errors == []


def test_compared_pages_align_row_by_row_and_wrap_beyond_three(open_page, tmp_path):
    from dataclasses import replace

    base = synthetic.comparison()
    long = "A title long enough to wrap onto a second line in its column " * 2
    pages = tuple(
        replace(page, name=f"{page.name}{i}", title=long if i == 0 else page.title)
        for i, page in enumerate(base.pages * 2)
    )
    path = tmp_path / "four.html"
    write_outputs(replace(base, pages=pages, metrics=None), path)
    opened = open_page(path, width=1800)
    boxes = opened.page.evaluate(
        """() => Array.from(document.querySelectorAll('.columns > section')).map((s) => {
          const view = s.querySelector('.interp-view').getBoundingClientRect();
          const title = s.querySelector('h2').getBoundingClientRect();
          return {left: view.left, top: view.top, titleHeight: title.height};
        })"""
    )
    assert len(boxes) == 4
    assert boxes[0]["titleHeight"] > boxes[1]["titleHeight"]  # the long title wrapped
    first_row, second_row = boxes[:3], boxes[3:]
    assert len({round(b["top"]) for b in first_row}) == 1  # views aligned despite it
    assert second_row[0]["top"] > first_row[0]["top"]  # the fourth page wraps below
    assert second_row[0]["left"] == pytest.approx(first_row[0]["left"], abs=1)
    assert opened.console_errors == []


OPACITIES = """
([viewName, markName]) => {
  const found = [];
  (function walk(node) {
    if (!node) return;
    if (node.marktype) {
      if (node.name === markName) {
        for (const item of node.items) found.push({atom: item.datum.atom, opacity: item.fillOpacity});
        return;
      }
      for (const item of node.items || []) walk(item);
      return;
    }
    for (const child of node.items || []) walk(child);
  })(window.__interp_views[viewName].scenegraph().root);
  return found;
}
"""


def test_hovering_a_groups_icon_shows_its_region_alone(open_page, pages):
    opened = open_page(pages["neuron_groups"])
    cells = opened.page.evaluate(OPACITIES, ["neuron_groups", "where__cells_marks"])
    assert len({c["atom"] for c in cells}) >= 3
    faint = [c for c in cells if c["opacity"] <= 0.05]
    assert faint == []  # nothing hovered: every group's cells at their strength
    frames = opened.items("neuron_groups", "icons__frame")
    hovered = frames[1]["datum"]["atom"]
    opened.hover(frames[1]["box"])
    cells = opened.page.evaluate(OPACITIES, ["neuron_groups", "where__cells_marks"])
    mine = [c["opacity"] for c in cells if c["atom"] == hovered]
    others = [c["opacity"] for c in cells if c["atom"] != hovered]
    assert mine and min(mine) > 0.05
    assert others and max(others) <= 0.05
    assert "hover a group in icons to show its cells alone" in opened.subtitle(
        "neuron_groups", "where"
    )
    assert opened.console_errors == []
