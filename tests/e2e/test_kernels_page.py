"""A weights page in Chromium: each pair's kernel beside both channels' icons, and a hover
on another view changes which target channel's kernels it shows."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import interp

pytestmark = pytest.mark.browser

SPEC = """interface circuit "A tiny circuit" {
  model tiny
  input sample("chelsea")
  let early = layer("0")
  let late = layer("3")
  element late_units = activations(late.channels) | top(3) as bars
  element feeders = weights(early.channels -> late.channels) | select(late_units.hover) | top(2) as kernels
}
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 5, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(5, 3),
    ).eval()
    models = {
        "tiny": interp.from_module(
            model, labels=["cat", "dog", "cup"], mean=(0.5,) * 3, std=(0.5,) * 3, input_size=24
        )
    }
    options = interp.Options(cache=None, quality="draft", icon_size=16, icon_steps=4)
    result = interp.run(SPEC, models=models, options=options)
    path = tmp_path_factory.mktemp("kernels") / "circuit.html"
    result.save(path)
    return path, result


def test_the_kernels_view_says_what_it_shows_and_has_both_icons(page):
    _, result = page
    view = result.pages[0].elements[1]
    assert view.presentation == "kernels"
    assert view.meta["subtitle"].startswith("Expanded weights, activations linearized: ReLU ×1")
    assert "the hovered channel of 3" in view.meta["describe"]
    assert (view.table["source_icon"] != "").all() and (view.table["target_icon"] != "").all()


def test_hovering_a_late_channel_changes_the_kernels_shown(open_page, page):
    opened = open_page(page[0])
    assert opened.console_errors == [] and opened.blocked == []
    bars = opened.items("circuit", "late_units__hit")
    keys = [bar["datum"]["key_late_units"] for bar in bars]
    before = opened.rows("circuit", "feeders__cells")
    assert before and {row["key_late_units"] for row in before} == {keys[0]}
    assert len(before) == 2 * 9  # two pairs, 3 x 3 kernels
    # both icons of each pair drawn as images
    assert len(opened.items("circuit", "feeders__source_icons")) == 2
    assert len(opened.items("circuit", "feeders__target_icons")) == 2

    opened.hover(bars[2]["box"])
    after = opened.rows("circuit", "feeders__cells")
    assert {row["key_late_units"] for row in after} == {keys[2]}
    assert [row["atom"] for row in after] != [row["atom"] for row in before]
    assert all(row["atom"].endswith("→ ch " + keys[2]) for row in after)
    assert opened.console_errors == []
