"""Interface metrics on the real EfficientNet-Lite0 and chelsea (a few seconds in all)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from interp.compare.metrics import nmf_explained, path_dependence, randomization
from interp.data.images import ImageSpec, load_image
from interp.execute.attribution.core import Atoms, Target, activations, attribute
from interp.execute.attribution.integrated_gradients import IntegratedGradients
from interp.execute.deletion import deletion
from interp.execute.factorize import factorize
from interp.models.load import load_model
from interp.models.spec import ModelSpec

LAYER = "blocks.4.2.bn1"  # ReLU6: non-negative, 672 x 14 x 14
SALIENCY = Atoms(None, "spatial")


@pytest.fixture(scope="module")
def chelsea():
    return load_image(ImageSpec("sample", "chelsea"))


@pytest.fixture(scope="module")
def trained():
    return load_model(ModelSpec("builtin", "efficientnet_lite0"))


@pytest.fixture(scope="module")
def randomized():
    return load_model(ModelSpec("builtin", "efficientnet_lite0", weights="random", seed=0))


def linear(handle, image: np.ndarray, atoms: Atoms, label: str = "Egyptian cat", **method):
    """The input, the activation x gradient (or `method=`) of `atoms` for `label`, and its index."""
    index = handle.labels.index(label)
    tensor = handle.preprocess(image)
    values = attribute(handle.module, tensor, atoms, Target(None, "classes", (index,)), **method)
    return tensor, values[..., 0].numpy(), index


def test_trained_saliency_deletes_faster_than_random_and_randomized_does_not(
    chelsea, trained, randomized
):
    """The trained saliency explains the "Egyptian cat" logit better than random order;
    the randomized model's saliency (Adebayo et al.'s check), deleted from the same trained
    model, does about as well as random order. (Its own model it explains well: deletion
    measures faithfulness to whichever model runs, so on `weights=random` it is low too.)"""
    tensor, trained_scores, cat = linear(trained, chelsea, SALIENCY)
    _, randomized_scores, _ = linear(randomized, chelsea, SALIENCY)
    faithful = deletion(trained.module, tensor, SALIENCY, trained_scores, cat, steps=8)
    unfaithful = deletion(trained.module, tensor, SALIENCY, randomized_scores, cat, steps=8)
    gain = faithful.random_auc - faithful.auc
    assert gain > 0.1 * faithful.curve[0]  # about 1.6 logits of 10.5
    assert unfaithful.random_auc - unfaithful.auc < 0.25 * gain


def test_channel_deletion_on_a_hidden_layer(chelsea, trained):
    tensor, scores, cat = linear(trained, chelsea, Atoms(LAYER, "channels"))
    curves = deletion(trained.module, tensor, Atoms(LAYER, "channels"), scores, cat, steps=8)
    assert curves.curve[0] == pytest.approx(trained.module(tensor)[0, cat].item(), rel=1e-4)
    assert curves.auc < curves.random_auc


def test_randomization_is_low_for_saliency(chelsea, trained, randomized):
    _, trained_scores, _ = linear(trained, chelsea, SALIENCY)
    _, randomized_scores, _ = linear(randomized, chelsea, SALIENCY)
    assert randomization(trained_scores, trained_scores) == pytest.approx(1.0)
    assert abs(randomization(trained_scores, randomized_scores)) < 0.3


def test_path_dependence_is_zero_on_a_linear_net_and_measured_on_lite0(tiny, x, chelsea, trained):
    target = Target(None, "classes", (0,))
    exact = attribute(tiny, x, SALIENCY, target)
    integrated = attribute(tiny, x, SALIENCY, target, method=IntegratedGradients(4))
    assert path_dependence(exact.numpy(), integrated.numpy()) == pytest.approx(0.0)
    atoms = Atoms(LAYER, "channels")
    _, plain, _ = linear(trained, chelsea, atoms)
    _, smooth, _ = linear(trained, chelsea, atoms, method=IntegratedGradients(8))
    assert 0 < path_dependence(plain, smooth) < 1  # related rankings, not equal (about 0.25)


def test_nmf_explained_rises_with_k_on_real_activations(chelsea, trained):
    tensor = trained.preprocess(chelsea)
    with torch.no_grad():
        cube = activations(trained.module, tensor, [LAYER])[LAYER].numpy()
    matrix = cube.reshape(cube.shape[0], -1).T  # positions x channels
    explained = []
    for k in (2, 4, 8):
        groups = factorize(matrix, k, signed=False)
        explained.append(nmf_explained(matrix, groups.footprints, groups.directions))
    assert all(0 <= value <= 1 for value in explained)
    assert explained[0] < explained[1] < explained[2]
