"""A comparison page links the same channel across its pages (`render.linking`).

Model alignment's shape on two tiny classifiers: each page's `twins` are the other
model's channels most correlated with the hovered detector. Hovering a twin on one page
outlines that channel (dashed) among the other page's detectors, and the reverse; leaving
it clears the outline. A `bars` view of the same channels outlines its bar's row alike.
A twin a view does not show (the other page shows its top 2 of 4 channels) is named in a
live line above that view instead. The page is computed for real (a few seconds: 32-pixel
models, 16 crops, two optimizer steps per icon).
"""

from __future__ import annotations

import pytest
from tiny import tiny_model

import interp
from interp.render import write_outputs

pytestmark = pytest.mark.browser

SPEC = """
interface a "Tiny A" {
  model tiny
  input sample("chelsea")
  let pics = dataset(samples(), crops=16, seed=0)
  let mine = layer("1")
  let yours = layer("1", model=other)
  element detectors = attribution(mine.channels -> output["fox"]) | top(2) as feature_vis(bars=true)
  element twins = correlation(mine.channels -> yours.channels, over=pics)
                | select(detectors.hover) | top(4) as feature_vis(bars=true)
  element ranked = attribution(mine.channels -> output["fox"]) | top(4) as bars
}

interface b "Tiny B" extends a {
  model other
  let yours = layer("1", model=tiny)
}

compare a, b
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    result = interp.run(
        SPEC,
        models={"tiny": tiny_model(0), "other": tiny_model(1)},
        quality="draft",
        icon_size=32,
        icon_steps=2,
        progress=False,
        device="cpu",
    )
    path = tmp_path_factory.mktemp("linked") / "alignment.html"
    write_outputs(result.comparison(), path)
    return path


def outlined(opened, page: str, element: str) -> list[str]:
    """The atom ids the view outlines as hovered on another page."""
    return [row["atom_id"] for row in opened.rows(page, f"{page}__{element}__linked")]


@pytest.mark.parametrize(("here", "there"), [("a", "b"), ("b", "a")])
def test_hovering_a_twin_outlines_it_among_the_other_pages_detectors(open_page, page, here, there):
    opened = open_page(page, width=1600)
    assert outlined(opened, there, "detectors") == []  # nothing hovered yet
    twins = opened.items(here, f"{here}__twins__frame")
    detectors = {
        item["datum"]["atom_id"]: item for item in opened.items(there, f"{there}__detectors__frame")
    }
    twin = next(t for t in twins if t["datum"]["atom_id"] in detectors)
    same = twin["datum"]["atom_id"]
    assert same.startswith(("tiny · 1 · channel", "other · 1 · channel"))

    opened.hover(twin["box"])
    assert opened.signal(there, f"{there}__linked_atom") == same
    assert outlined(opened, there, "detectors") == [same]
    assert outlined(opened, there, "ranked") == [same]  # bars outline it too
    box = opened.items(there, f"{there}__detectors__linked")[0]["box"]
    frames = opened.items(there, f"{there}__detectors__frame")  # measured after any scroll
    frame = next(f["box"] for f in frames if f["datum"]["atom_id"] == same)
    centre = lambda b: (b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)  # noqa: E731
    assert centre(box) == pytest.approx(centre(frame), abs=1)  # over that channel's cell
    assert outlined(opened, here, "detectors") == []  # the hovered page outlines nothing

    opened.page.mouse.move(2, 2)  # leaving the twin clears the outline
    assert outlined(opened, there, "detectors") == outlined(opened, there, "ranked") == []
    assert opened.console_errors == []


def test_the_page_says_what_the_dashed_outline_is(open_page, page):
    opened = open_page(page, width=1600)
    header = opened.page.locator("header").inner_text()
    assert "hover it on one page to outline it (dashed)" in header
    for name in ("a", "b"):
        for element in ("detectors", "twins", "ranked"):
            assert "dashed outline: the channel hovered on another page" in opened.subtitle(
                name, element
            )


def absent_line(opened, page: str, element: str) -> str:
    """The view's live line naming the atom hovered on another page that it does not show."""
    return " ".join(
        str(row["_caption"]) for row in opened.rows(page, f"{page}__{element}__absent")
    ).strip()


@pytest.mark.parametrize(("here", "there"), [("a", "b"), ("b", "a")])
def test_a_twin_the_other_page_does_not_show_is_named_there(open_page, page, here, there):
    opened = open_page(page, width=1600)
    shown = {i["datum"]["atom_id"] for i in opened.items(there, f"{there}__detectors__frame")}
    twin = None
    for detector in opened.items(here, f"{here}__detectors__frame"):
        opened.hover(detector["box"])  # each detector shows its own twins
        twins = opened.items(here, f"{here}__twins__frame")
        twin = next((t for t in twins if t["datum"]["atom_id"] not in shown), None)
        if twin is not None:
            break
    assert twin is not None, "every twin is among the other page's detectors: no case to test"
    missing = twin["datum"]["atom_id"]
    assert absent_line(opened, there, "detectors") == ""

    opened.hover(twin["box"])
    assert opened.signal(there, f"{there}__linked_atom") == missing
    line = absent_line(opened, there, "detectors")
    atom = missing.rsplit(" · ", 1)[1]  # "channel N": the view's model and layer are its own
    assert line == f"{atom} (hovered on another page) is not shown here"
    assert outlined(opened, there, "detectors") == []  # nothing to outline
    assert outlined(opened, there, "ranked") == [missing]  # the page's top-4 bars do show it
    assert absent_line(opened, there, "ranked") == ""
    opened.page.mouse.move(2, 2)  # leaving the twin clears the line
    assert absent_line(opened, there, "detectors") == ""
    assert opened.console_errors == []
