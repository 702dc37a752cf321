"""`atom_id`: a channel's name on any page (model · layer · channel N), what links compared
pages (`render.linking`); only channels of a layer have one."""

from __future__ import annotations

from functools import cache

import pandas as pd

import interp
from interp.execute.pages import atom_ids

SPEC = """
interface mine {
  model efficientnet_lite0
  input sample("chelsea")
  let L = layer("blocks.4.2.bn1")
  let other = layer("blocks.4.2.bn1", model=efficientnet_lite1)
  element own = activations(L.channels) | top(3) as bars
  element theirs = activations(other.channels) | top(3) as bars
  element groups = activations(L.groups(3)) as bars
  element places = activations(L.spatial) as heatmap(over=input)
  element classes = activations(output) | top(3) as bars
}

interface edited extends mine {
  model efficientnet_lite0 with ablate(layer("blocks.4.2.bn1").channels[1, 2])
}

interface random extends mine {
  model torchvision("resnet18", weights=random)
  let L = layer("layer3")
  let other = layer("layer3", model=torchvision("resnet18", weights=random, seed=1))
}
"""


@cache
def program():
    return interp.check(interp.parse(SPEC))


def ids(interface: str, element: str, table: pd.DataFrame) -> list[str] | None:
    owner = program().interface(interface)
    found = atom_ids(owner.element(element), table, owner.model)
    return None if found is None else found.tolist()


CHANNELS = pd.DataFrame({"channel": [12, 7], "value": [2.0, 1.0], "atom": ["ch 12", "ch 7"]})


def test_a_channel_is_named_by_its_model_layer_and_index():
    assert ids("mine", "own", CHANNELS) == [
        "efficientnet_lite0 · blocks.4.2.bn1 · channel 12",
        "efficientnet_lite0 · blocks.4.2.bn1 · channel 7",
    ]
    assert ids("mine", "theirs", CHANNELS)[0] == "efficientnet_lite1 · blocks.4.2.bn1 · channel 12"


def test_an_edited_models_channels_are_its_models_and_other_weights_are_not():
    assert ids("edited", "own", CHANNELS) == ids("mine", "own", CHANNELS)
    mine, random = ids("mine", "own", CHANNELS), ids("random", "own", CHANNELS)
    assert random[0] == 'torchvision("resnet18", weights=random) · layer3 · channel 12'
    other = 'torchvision("resnet18", weights=random, seed=1) · layer3 · channel 12'
    assert ids("random", "theirs", CHANNELS)[0] == other  # another seed, another model
    assert not set(mine) & set(random)


def test_groups_positions_and_classes_have_no_id():
    groups = pd.DataFrame({"group": [0], "value": [1.0], "atom": ["group 0"]})
    places = pd.DataFrame({"x": [0], "y": [1], "value": [1.0], "atom": ["(0, 1)"]})
    classes = pd.DataFrame({"class": ["tabby"], "value": [1.0], "atom": ["tabby"]})
    assert ids("mine", "groups", groups) is None
    assert ids("mine", "places", places) is None
    assert ids("mine", "classes", classes) is None
