"""`interp space` pages open offline in Chromium, draw every element, and explain themselves."""

from __future__ import annotations

import pytest
from gallery import CONTRACT, spec_path

from interp.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict:
    """`interp space` on every contract spec, and on three of them together."""
    folder = tmp_path_factory.mktemp("space")
    written = {}
    for name in CONTRACT:
        written[name] = folder / f"{name}.space.html"
        assert main(["space", str(spec_path(name)), "-o", str(written[name])]) == 0
    written["several"] = folder / "several.space.html"
    files = [str(spec_path(n)) for n in ("teaser", "channel_attribution", "semantic_dictionary")]
    assert main(["space", *files, "-o", str(written["several"])]) == 0
    return written


@pytest.mark.parametrize("name", [*sorted(CONTRACT), "several"])
def test_space_page_draws_offline_without_errors(open_page, pages, name):
    opened = open_page(pages[name])
    assert opened.page.evaluate("document.body.dataset.ready") == "true"
    assert opened.console_errors == []
    assert opened.blocked == []
    svg = opened.page.locator(".interp-view svg").first
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box["width"] > 1000 and box["height"] > 300
    boxes = opened.items("space", "elements")
    assert boxes and all(item["box"]["width"] > 100 for item in boxes)
    assert len(opened.items("space", "alternatives")) > 10
    assert "Rows: substrates" in opened.page.inner_text("header")


def test_hovering_a_box_shows_its_spec(open_page, pages):
    opened = open_page(pages["teaser"])
    detectors = next(
        item
        for item in opened.items("space", "elements")
        if item["datum"]["element"] == "detectors"
    )
    opened.hover(detectors["box"])
    tooltip = opened.page.locator("#vg-tooltip-element")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert "top(6, per=target)" in tooltip.inner_text()
    arrows = opened.rows("space", "arrow_labels")
    assert [row["text"] for row in arrows] == ["hover"]
    assert opened.console_errors == []


def test_screenshot_of_a_rich_page(open_page, pages, tmp_path):
    opened = open_page(pages["several"], width=1700, height=1300)
    path = tmp_path / "space.png"
    opened.page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
