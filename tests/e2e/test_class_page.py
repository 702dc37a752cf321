"""The class page (`specs/class_view.interp`, Summit) in Chromium with the network cut off:
it draws offline, says what it aggregates, and hovering a channel that carries the class
changes the crops shown for it (those supporting the class, right and wrong).
The passes run once a session (`gallery.shared_cache`); icons are tiny."""

from __future__ import annotations

import pytest
from gallery import shared_cache, spec_path

from interp.options import Options
from interp.pipeline import run
from interp.render import write_outputs

pytestmark = pytest.mark.browser

OPTIONS = dict(quality="draft", progress=False, icon_size=32, icon_steps=2, device="cpu")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    result = run(spec_path("class_view"), Options(**OPTIONS, cache=shared_cache()))
    written = tmp_path_factory.mktemp("class_page") / "class_view.html"
    write_outputs(result.pages[0], written)
    return written


def test_the_class_page_draws_offline_and_says_what_it_aggregates(open_page, page):
    opened = open_page(page, width=1800)
    assert opened.page.evaluate("document.body.dataset.ready") == "true"
    assert opened.console_errors == [] and opened.blocked == []
    text = opened.page.inner_text("body")
    assert "mean over the examples of dataset(samples(), crops=128, seed=5" in text
    assert 'where(label="Egyptian cat")' in text and "correct=false" in text
    assert len(opened.items("class_view", "carriers__frame")) == 6


def test_hovering_a_carrier_changes_its_crops(open_page, page):
    opened = open_page(page, width=1800)
    view = "class_view"
    frames = opened.items(view, "carriers__frame")
    first, second = (frames[i]["datum"]["key_carriers"] for i in (0, 1))
    before = opened.rows(view, "carried_by__icons")
    assert {row["key_carriers"] for row in before} == {first} and len(before) == 6
    assert {row["key_carriers"] for row in opened.rows(view, "right__icons")} == {first}
    opened.hover(frames[1]["box"])
    after = opened.rows(view, "carried_by__icons")
    assert {row["key_carriers"] for row in after} == {second} and len(after) == 6
    assert [r["example"] for r in after] != [r["example"] for r in before]
    assert {row["key_carriers"] for row in opened.rows(view, "right__icons")} == {second}
    assert {row["key_carriers"] for row in opened.rows(view, "wrong__icons")} == {second}
    assert opened.console_errors == []


def test_hovering_a_flow_of_the_class_graph_changes_the_crops_of_its_lower_channel(open_page, page):
    opened = open_page(page, width=1800)
    view = "class_view"
    links = opened.items(view, "upper__links")
    before = {row["key_upper"] for row in opened.rows(view, "feeding__icons")}
    assert len(before) == 1 and len(links) > 2
    other = next(link for link in links if link["datum"]["key_upper"] not in before)
    opened.hover(other["box"])
    after = {row["key_upper"] for row in opened.rows(view, "feeding__icons")}
    assert after == {other["datum"]["key_upper"]}
    assert opened.console_errors == []
