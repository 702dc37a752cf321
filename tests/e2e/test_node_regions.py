"""A sankey between two layers' groups shows where the hovered group is in the input.

One real run on a tiny two-ReLU classifier (32 pixels, no icons): the view's regions are
each group's NMF spatial factor, checked against the same groups' `.spatial` activations
drawn by a `heatmap(color=atom)` of the same page; in Chromium, the photo is drawn beside
the flows and hovering a node changes the region shown on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import interp
from interp.render import write_outputs

SPEC = """
interface flows "Tiny flows" {
  model tiny
  input sample("chelsea")
  let lower = layer("1").groups(3)
  let upper = layer("3").groups(2)
  element flow = attribution(lower -> upper) as sankey(icons=none)
  element where = activations(upper.spatial) as heatmap(over=input, color=atom)
}
"""


def tiny_two_layers() -> torch.nn.Module:
    """conv → ReLU → conv → ReLU → pool → linear: two non-negative layers to factorize."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        return torch.nn.Sequential(
            torch.nn.Conv2d(3, 6, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.Conv2d(6, 6, 3, padding=1, stride=2),
            torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Linear(6, 3),
        )


@pytest.fixture(scope="module")
def page():
    model = interp.from_module(
        tiny_two_layers(),
        labels=["cat", "dog", "fox"],
        mean=(0.5,) * 3,
        std=(0.5,) * 3,
        input_size=32,
    )
    result = interp.run(SPEC, models={"tiny": model}, quality="draft", progress=False, device="cpu")
    return result.pages[0]


def test_regions_are_the_groups_spatial_factors(page):
    flow, where = page.elements
    regions = pd.DataFrame(flow.meta["regions"])
    assert set(regions["atom"]) == {"group 0", "group 1", "group 2", "→ group 0", "→ group 1"}
    lower = regions[~regions["atom"].str.startswith("→")]
    assert set(zip(lower["grid_w"], lower["grid_h"], strict=True)) == {(32, 32)}
    assert len(lower) == 3 * 32 * 32  # every cell, so the veil covers the photo
    upper = regions[regions["atom"].str.startswith("→")]
    for group in (0, 1):
        mine = upper[upper["atom"] == f"→ group {group}"].set_index(["y", "x"])["strength"]
        cells = where.table[where.table["atom"] == f"group {group}"]
        reference = cells.set_index(["y", "x"])["value"].abs()
        reference = (reference / reference.max()).reindex(mine.index)
        np.testing.assert_allclose(mine.to_numpy(), reference.to_numpy(), atol=2e-3)
        assert mine.max() == pytest.approx(1.0)


@pytest.mark.browser
def test_hovering_a_node_changes_the_region_shown(open_page, page, tmp_path):
    path = tmp_path / "flows.html"
    write_outputs(page, path)
    opened = open_page(path)
    photo = opened.items("flows", "flow__photo")
    assert len(photo) == 1 and photo[0]["box"]["width"] >= 150  # the input, beside the flows
    href = opened.page.locator("g.flow__photo_marks image").get_attribute("href")
    assert href.startswith("data:image/")
    shown = lambda: [row["atom"] for row in opened.rows("flows", "flow__region")]  # noqa: E731
    nodes = opened.items("flows", "flow__icons")
    assert shown() == [nodes[0]["datum"]["atom"]]  # before any hover: the first node's
    target = next(n for n in nodes if n["datum"]["atom"].startswith("→"))
    opened.hover(target["box"])
    assert shown() == [target["datum"]["atom"]]
    outlined = opened.rows("flows", "flow__node_outline")
    assert [row["atom"] for row in outlined] == [target["datum"]["atom"]]
    caption = opened.rows("flows", "flow__region_caption")
    assert [row["_text"] for row in caption] == [
        target["datum"]["atom"].lstrip("→ ") + " of 3 groups"
    ]
    opened.page.mouse.move(2, 2)  # the last hovered node stays
    assert shown() == [target["datum"]["atom"]]
    assert "photo: where the hovered group is in the input" in opened.subtitle("flows", "flow")
    assert opened.console_errors == []
