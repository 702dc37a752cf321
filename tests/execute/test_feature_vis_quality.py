"""Coarse-to-fine feature visualization: exact upsampling, and no loss against full size.

The standard preset runs half its steps at 3/4 of the side (`options.ICON_PRESETS`).
The guard: on 33 seeded channels over three layers of EfficientNet-Lite0, the images it
draws reach the objective and the high-frequency detail of all 64 steps at full size,
each within 3% (`execute.feature_vis.quality`).
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
import torch

from interp.execute.feature_vis import optimize, quality, settings_for
from interp.execute.feature_vis.jobs import image_seed
from interp.execute.feature_vis.objectives import Objective
from interp.execute.feature_vis.param import FourierImage
from interp.models.load import ModelSpec, load_model
from interp.options import ICON_PRESETS, pyramid_stages

LAYERS = {"blocks.2.1.bn1": 240, "blocks.3.2.bn1": 480, "blocks.4.2.bn1": 672}
PER_LAYER = 11
TOLERANCE = 0.03


def test_upsampling_a_spectrum_interpolates_the_image_exactly():
    small = FourierImage([1, 2], 48)
    with torch.no_grad():
        small.spectrum.mul_(40)
        small.spectrum[:, :, 24] = 0  # the Nyquist row and column are dropped on the way up
        small.spectrum[:, :, :, 24] = 0
    large = small.upsampled(96)
    before, after = small.decorrelated(), large.decorrelated()
    assert after.shape[-2:] == (96, 96)
    assert torch.allclose(after[..., ::2, ::2], before, atol=1e-5)  # the same samples
    assert torch.allclose(after.std(), before.std(), rtol=1e-3)  # no new detail yet


def test_frequencies_new_at_a_stage_move_faster_by_the_gain():
    small = FourierImage([3], 48)
    large = small.upsampled(64, gain=2.0)
    plain = FourierImage([3], 64)
    ratio = large.scale / plain.scale
    assert ratio[0, 0] == pytest.approx(1.0) and ratio[32, 32] == pytest.approx(2.0)
    assert set(ratio.unique().tolist()) == {1.0, 2.0}


def test_pyramid_stages_cover_every_step_and_skip_small_icons():
    assert pyramid_stages(128, 64, ((0.75, 0.5),)) == [(96, 32), (128, 32)]
    assert pyramid_stages(128, 64, ()) == [(128, 64)]
    assert pyramid_stages(48, 64, ((0.75, 0.5),)) == [(48, 64)]  # 36 px is too small
    stages = pyramid_stages(192, 10, ((0.5, 0.3), (0.75, 0.9)))
    assert sum(n for _, n in stages) == 10 and stages[-1][0] == 192 and stages[-1][1] >= 1


@pytest.fixture(scope="module")
def lite0():
    return load_model(ModelSpec("builtin", "efficientnet_lite0"))


def draw(handle, settings) -> tuple[torch.Tensor, torch.Tensor]:
    """Objective and high-frequency share of each image of the fixed channel set."""
    pick = random.Random(0)
    device = torch.device("cpu")
    scores, shares = [], []
    with optimize.prepared(
        handle.module, handle.normalize, device, size=settings.size, keep=set(LAYERS)
    ) as module:
        for layer, channels in LAYERS.items():
            objectives = [
                Objective(layer, "channel", channel=c)
                for c in sorted(pick.sample(range(channels), PER_LAYER))
            ]
            seeds = [image_seed(0, o) for o in objectives]
            pixels = optimize.optimize_batch(
                module, handle.normalize, layer, objectives, seeds, settings, device=device
            )
            scores.append(quality.objective(handle.module, handle.normalize, objectives, pixels))
            shares.append(quality.high_frequency_share(pixels))
    return torch.cat(scores), torch.cat(shares)


def test_coarse_to_fine_keeps_the_objective_and_the_detail_of_full_size(lite0):
    standard = settings_for("standard")
    assert standard.pyramid == ICON_PRESETS["standard"].pyramid != ()
    full_size = replace(standard, pyramid=())  # the standard preset before coarse-to-fine
    score, share = draw(lite0, standard)
    reference_score, reference_share = draw(lite0, full_size)
    assert len(score) >= 32
    objective_ratio = float(score.mean() / reference_score.mean())
    detail_ratio = float(share.mean() / reference_share.mean())
    assert abs(objective_ratio - 1) <= TOLERANCE, objective_ratio
    assert abs(detail_ratio - 1) <= TOLERANCE, detail_ratio
    # and it is a real optimization: far above where the images started
    assert float(reference_score.mean()) > 1.0
