"""A comparison page links the same channel across its pages (`render.linking`).

Model alignment's shape on two tiny classifiers: each page's `twins` are the other
model's channels most correlated with the hovered detector. Hovering a twin on one page
outlines that channel (dashed) among the other page's detectors, and the reverse; leaving
it clears the outline. A `bars` view of the same channels outlines its bar's row alike.
The page is computed for real (a few seconds: 32-pixel models, 16 crops, two optimizer
steps per icon).
"""

from __future__ import annotations

import pytest
from tiny import tiny_classifier

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
  element detectors = attribution(mine.channels -> output["fox"]) | top(4) as feature_vis(bars=true)
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


def model(seed: int):
    return interp.from_module(
        tiny_classifier(seed=seed),
        labels=["cat", "dog", "fox"],
        mean=(0.5,) * 3,
        std=(0.5,) * 3,
        input_size=32,
    )


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    result = interp.run(
        SPEC,
        models={"tiny": model(0), "other": model(1)},
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
