"""Deletion curves: exact on the linear net of conftest.py, computed by hand; batched; hook-safe."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

from interp.execute.attribution.core import Atoms, Target, attribute
from interp.execute.deletion import blur, deletion

POSITIONS = np.arange(16.0).reshape(4, 4)  # the input's first plane, as in conftest.py


def no_hooks_left(model: nn.Module) -> bool:
    return not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


def test_the_tiny_nets_attribution_is_known(tiny, x):
    assert tiny(x)[0, 0].item() == 56.0
    for layer in (None, "conv1"):
        spatial = attribute(tiny, x, Atoms(layer, "spatial"), Target(None, "classes", (0,)))
        np.testing.assert_allclose(spatial[..., 0].numpy(), POSITIONS - 4)
    by_channel = attribute(tiny, x, Atoms("conv1", "channels"), Target(None, "classes", (0,)))
    np.testing.assert_allclose(by_channel[:, 0].numpy(), [120.0, -64.0])


def to_zero(tiny, x, seed=0):
    """Input deletion of the known saliency with removed pixels set to zero, in 4 steps."""
    zeros = torch.zeros(3, 1, 1)
    return deletion(
        tiny, x, Atoms(None, "spatial"), POSITIONS - 4, 0, steps=4, seed=seed, reference=zeros
    )


def test_input_deletion_to_zero_by_hand(tiny, x):
    # positions 15, 14, ... go first; four at a time remove 11+10+9+8, 7+6+5+4, 3+2+1+0, -1-2-3-4
    curves = to_zero(tiny, x)
    np.testing.assert_allclose(curves.curve, [56, 18, -4, -10, 0])
    assert curves.auc == pytest.approx(8.0)


def test_random_order_is_seeded_and_exact(tiny, x):
    curves = to_zero(tiny, x, seed=7)
    order = np.random.default_rng(7).permutation(16)
    removed = [(POSITIONS.reshape(-1)[order[:m]] - 4).sum() for m in (0, 4, 8, 12, 16)]
    np.testing.assert_allclose(curves.random_curve, 56 - np.array(removed))
    np.testing.assert_array_equal(curves.random_curve, to_zero(tiny, x, seed=7).random_curve)
    assert not np.array_equal(curves.random_curve, to_zero(tiny, x, seed=8).random_curve)


def test_input_deletion_blurs_removed_pixels(tiny, x):
    blurred = blur(x, 1.0)
    per_position = {
        "kept": (x[0, 0] - 4 * x[0, 1]).numpy().reshape(-1),
        "blurred": (blurred[0, 0] + blurred[0, 2] - 4 * blurred[0, 1]).numpy().reshape(-1),
    }
    curves = deletion(tiny, x, Atoms(None, "spatial"), POSITIONS - 4, 0, steps=4, blur_sigma=1.0)
    strongest = np.argsort(-(POSITIONS - 4).reshape(-1), kind="stable")
    for point, m in enumerate((0, 4, 8, 12, 16)):
        gone = np.isin(np.arange(16), strongest[:m])
        expected = per_position["kept"][~gone].sum() + per_position["blurred"][gone].sum()
        assert curves.curve[point] == pytest.approx(expected, rel=1e-5)
    assert curves.curve[-1] == pytest.approx(tiny(blurred)[0, 0].item(), rel=1e-5)


def test_blur_keeps_a_flat_image_and_smooths_an_edge():
    flat = torch.full((1, 3, 8, 8), 0.3)
    torch.testing.assert_close(blur(flat, 5.0), flat)
    edge = torch.zeros(1, 3, 8, 8)
    edge[..., 4:] = 1.0
    smooth = blur(edge, 1.0)
    assert 0 < smooth[0, 0, 0, 3] < 0.5 < smooth[0, 0, 0, 4] < 1


def test_layer_positions_become_the_mean_vector(tiny, x):
    # the mean vector over positions is (7.5, 1): a removed position contributes 7.5 - 4 = 3.5
    curves = deletion(tiny, x, Atoms("conv1", "spatial"), POSITIONS - 4, 0, steps=4)
    np.testing.assert_allclose(curves.curve, [56, 32, 24, 32, 56], rtol=1e-6)


def test_layer_channels_become_the_mean_map(tiny, x):
    # the mean map over channels is (p + 1) / 2; channel 0 (attribution 120) goes first:
    # sum_p ((p + 1) / 2 - 4) = 4, then both: sum_p (1 - 4) (p + 1) / 2 = -204
    scores = xr.DataArray([[120.0], [-64.0]], dims=("channel", "class"))
    curves = deletion(tiny, x, Atoms("conv1", "channels"), scores, 0, steps=2)
    np.testing.assert_allclose(curves.curve, [56, 4, -204], rtol=1e-6)


def test_all_points_run_in_one_batched_pass(tiny, x):
    # 2 orders x 17 points, less the two shared by both orders: 32 images, one pass
    deletion(tiny, x, Atoms("conv1", "spatial"), POSITIONS - 4, 0, steps=16)
    assert tiny.calls == 1
    deletion(tiny, x, Atoms(None, "spatial"), POSITIONS - 4, 0, steps=16, batch_size=8)
    assert tiny.calls == 1 + 4


def test_hooks_are_removed_even_on_error(tiny, x):
    deletion(tiny, x, Atoms("conv1", "channels"), np.array([1.0, 2.0]), 0, steps=2)
    assert no_hooks_left(tiny)
    with pytest.raises(ValueError, match="do not fit"):
        deletion(tiny, x, Atoms("conv1", "spatial"), np.zeros((3, 3)), 0, steps=2)
    assert no_hooks_left(tiny)


def test_deletion_is_absent_where_it_does_not_apply(tiny, x):
    assert deletion(tiny, x, Atoms("conv1", "neurons"), np.zeros((2, 4, 4)), 0) is None
    assert deletion(tiny, x, Atoms(None, "channels"), np.zeros(3), 0) is None


def test_deletion_needs_eval_mode(tiny, x):
    with pytest.raises(ValueError, match="eval"):
        deletion(tiny.train(), x, Atoms(None, "spatial"), POSITIONS, 0)


def test_scores_are_read_by_axis_name(tiny, x):
    by_name = xr.DataArray((POSITIONS - 4).T[..., None], dims=("x", "y", "class"))
    curves = deletion(tiny, x, Atoms("conv1", "spatial"), by_name, 0, steps=4)
    np.testing.assert_allclose(curves.curve, [56, 32, 24, 32, 56], rtol=1e-6)
    with pytest.raises(ValueError, match="one class"):
        deletion(tiny, x, Atoms("conv1", "spatial"), xr.concat([by_name] * 2, "class"), 0)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_deletion_runs_where_the_model_is(tiny, x):
    on_cpu = deletion(tiny, x, Atoms(None, "spatial"), POSITIONS - 4, 0, steps=4, blur_sigma=1.0)
    model = tiny.to("cuda")
    on_gpu = deletion(model, x, Atoms(None, "spatial"), POSITIONS - 4, 0, steps=4, blur_sigma=1.0)
    channels = deletion(model, x, Atoms("conv1", "channels"), np.array([120.0, -64]), 0, steps=2)
    np.testing.assert_allclose(on_gpu.curve, on_cpu.curve, rtol=1e-5)
    np.testing.assert_allclose(channels.curve, [56, 4, -204], rtol=1e-5)
