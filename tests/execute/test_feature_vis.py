"""Feature visualization: as good as Lucent, batched, truncated, cached, hook-safe."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from interp.cache import Cache
from interp.errors import InterpError
from interp.execute.feature_vis import (
    Objective,
    objective_values,
    settings_for,
    visualize,
    visualize_diverse,
)
from interp.execute.feature_vis import api as fv_api
from interp.execute.feature_vis.param import FourierImage
from interp.execute.feature_vis.redirect import redirected_relus
from interp.execute.feature_vis.transforms import Robustness, warp
from interp.models.hooks import capture, run_until
from interp.models.load import ModelSpec, load_model

LAYER = "blocks.4.2.bn1"
CHANNELS = (1, 81, 162)  # active on a random starting image, so Lucent can optimize them too


@pytest.fixture(scope="module")
def lite0():
    return load_model(ModelSpec("builtin", "efficientnet_lite0"))


def channel_means(handle, images, layer, channels):
    """Each image's objective, shown to the model as is (no transform): the fair score."""
    x01 = torch.tensor(np.stack(images)).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad(), capture(handle.module, [layer], stop_after=layer) as record:
        run_until(handle.module, handle.normalize(x01))
    activation = record[layer]
    return [float(activation[i, c].mean()) for i, c in enumerate(channels)]


def count_batches(monkeypatch):
    calls = []
    real = fv_api._optimize.optimize_batch

    def spy(module, normalize, layer, objectives, *args, **kwargs):
        calls.append(list(objectives))
        return real(module, normalize, layer, objectives, *args, **kwargs)

    monkeypatch.setattr(fv_api._optimize, "optimize_batch", spy)
    return calls


def test_as_good_as_lucent_at_equal_steps_and_size(lite0):
    lucent = pytest.importorskip("lucent.optvis.render")
    from lucent.optvis import param, transform

    steps, size = 48, 64
    lucent_images = []
    for channel in CHANNELS:
        torch.manual_seed(0)
        np.random.seed(0)
        (final,) = lucent.render_vis(
            copy.deepcopy(lite0.module),  # Lucent leaves its hooks on every module
            f"{LAYER.replace('.', '_')}:{channel}",
            param_f=lambda: param.image(size),
            transforms=[*transform.standard_transforms, lite0.normalize],
            preprocess=False,
            thresholds=(steps,),
            fixed_image_size=size,  # the model sees the same 64 px as interp's
            progress=False,
            show_image=False,
        )
        lucent_images.append((final[0] * 255).round().astype(np.uint8))
    ours = visualize(
        lite0,
        [Objective(LAYER, "channel", channel=c) for c in CHANNELS],
        quality="draft",
        size=size,
        steps=steps,
    )
    assert ours[0].shape == (size, size, 3) and ours[0].dtype == np.uint8
    ours_score = np.mean(channel_means(lite0, ours, LAYER, CHANNELS))
    lucent_score = np.mean(channel_means(lite0, lucent_images, LAYER, CHANNELS))
    assert ours_score >= lucent_score, (ours_score, lucent_score)


def test_an_image_in_a_batch_is_the_image_alone(lite0):
    objectives = [Objective(LAYER, "channel", channel=c) for c in (5, 81, 300, 600)]
    together = visualize(lite0, objectives, size=48, steps=12)
    alone = visualize(lite0, objectives[1:2], size=48, steps=12)[0]
    # Per-image seeds and transforms: only float reduction order differs.
    assert np.abs(together[1].astype(int) - alone.astype(int)).mean() < 2.0
    scores = channel_means(lite0, [together[1], alone], LAYER, [81, 81])
    assert scores[0] >= 0.9 * scores[1]


def test_forward_stops_at_the_layer(lite0):
    objectives = [Objective("blocks.2", "channel", channel=0)]
    settings = fv_api._optimize.Settings(size=32, steps=2)
    cpu = torch.device("cpu")
    with fv_api._optimize.prepared(lite0.module, lite0.normalize, cpu, size=32) as module:
        with capture(module, ["blocks.2", "blocks.3", "conv_head"]) as seen:
            fv_api._optimize.optimize_batch(
                module, lite0.normalize, "blocks.2", objectives, [0], settings, device=cpu
            )
    assert list(seen.outputs) == ["blocks.2"]


def test_cache_hit_returns_the_same_images_without_optimizing(lite0, tmp_path, monkeypatch):
    cache = Cache(tmp_path)
    objectives = [Objective(LAYER, "channel", channel=3), Objective(LAYER, "neuron", channel=7)]
    first = visualize(lite0, objectives, size=32, steps=3, cache=cache)

    def forbidden(*_args, **_kwargs):
        raise AssertionError("optimized despite a cache hit")

    monkeypatch.setattr(fv_api._optimize, "optimize_batch", forbidden)
    second = visualize(lite0, objectives[::-1], size=32, steps=3, cache=cache)
    assert np.array_equal(first[0], second[1]) and np.array_equal(first[1], second[0])
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")]
    with pytest.raises(AssertionError, match="despite"):  # another step count is another entry
        visualize(lite0, objectives, size=32, steps=4, cache=cache)


def test_model_is_left_as_it_was(lite0):
    module = lite0.module
    module.train()
    weights = module.conv_stem.weight
    before = {name: dict(m._forward_hooks) for name, m in module.named_modules()}
    try:
        visualize(lite0, [Objective(LAYER, "channel", channel=1)], size=32, steps=2)
    finally:
        was_training = module.training
        module.eval()
    assert was_training
    assert {name: dict(m._forward_hooks) for name, m in module.named_modules()} == before
    assert module.conv_stem.weight is weights and weights.is_contiguous()
    assert weights.grad is None
    assert all("forward" not in m.__dict__ for m in module.modules())


def test_error_inside_the_optimization_still_restores(lite0, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(fv_api._optimize, "ObjectiveBatch", lambda *_: broken)
    with pytest.raises(RuntimeError, match="boom"):
        visualize(lite0, [Objective(LAYER, "channel", channel=1)], size=32, steps=2)
    assert all(not m._forward_hooks and "forward" not in m.__dict__ for m in lite0.module.modules())


def test_equal_and_near_identical_directions_share_one_optimization(lite0, monkeypatch):
    calls = count_batches(monkeypatch)
    rng = np.random.default_rng(0)
    base = rng.random(672)
    near = base + 0.01 * rng.random(672)  # cosine > 0.99
    other = rng.random(672) - 0.5
    objectives = [
        Objective(LAYER, "direction", position=(0, 0), direction=base),
        Objective(LAYER, "direction", position=(3, 1), direction=near),
        Objective(LAYER, "direction", position=(2, 2), direction=other),
        Objective(LAYER, "group", direction=base),  # a group's direction is a direction
        Objective(LAYER, "channel", channel=4),
        Objective(LAYER, "channel", channel=4),
    ]
    images = visualize(lite0, objectives, size=32, steps=2)
    assert [len(batch) for batch in calls] == [3]
    assert np.array_equal(images[0], images[1]) and np.array_equal(images[0], images[3])
    assert not np.array_equal(images[0], images[2])
    assert images[4] is not images[5] and np.array_equal(images[4], images[5])


def test_layers_are_batched_separately_and_chunked(lite0, monkeypatch):
    calls = count_batches(monkeypatch)
    objectives = [Objective(LAYER, "channel", channel=c) for c in range(5)]
    objectives += [Objective("blocks.1", "channel", channel=0)]
    visualize(lite0, objectives, size=32, steps=1, batch_size=3)
    assert sorted(len(batch) for batch in calls) == [1, 2, 3]
    assert all(len({o.layer for o in batch}) == 1 for batch in calls)


def test_objective_values_read_their_own_slice():
    activation = torch.randn(5, 4, 3, 3)
    direction = (0.5, -1.0, 2.0, 0.0)
    objectives = [
        Objective("l", "channel", channel=2),
        Objective("l", "neuron", channel=1, position=(0, 0)),  # drawn at the centre
        Objective("l", "direction", direction=direction, cosine_power=0.0),
        Objective("l", "direction", direction=direction, cosine_power=2.0),
        Objective("l", "class", channel=3),
    ]
    values = objective_values(activation, objectives)
    d = torch.tensor(direction)
    dot = torch.einsum("chw,c->hw", activation[3], d)
    cosine = dot / (activation[3].norm(dim=0) * d.norm())
    expected = [
        activation[0, 2].mean(),
        activation[1, 1, 1, 1],
        torch.einsum("chw,c->hw", activation[2], d).mean(),
        (dot * cosine.clamp_min(0.1) ** 2).mean(),
        activation[4, 3].mean(),
    ]
    torch.testing.assert_close(values, torch.stack(expected), rtol=1e-4, atol=1e-5)
    logits = torch.randn(2, 10)
    values = objective_values(logits, [Objective("output", "class", channel=c) for c in (7, 2)])
    torch.testing.assert_close(values, torch.stack([logits[0, 7], logits[1, 2]]))


def test_objectives_are_hashable_and_normalized():
    a = Objective(LAYER, "direction", direction=np.array([1.0, 2.0]), position=np.array([1, 2]))
    b = Objective(LAYER, "direction", direction=torch.tensor([1.0, 2.0]), position=(1, 2))
    assert a == b and hash(a) == hash(b) and a.direction == (1.0, 2.0)
    with pytest.raises(ValueError):
        Objective(LAYER, "channel")
    with pytest.raises(ValueError):
        Objective(LAYER, "texture", channel=1)


def test_class_objective_runs_the_whole_model(lite0):
    (image,) = visualize(lite0, [Objective("output", "class", channel=285)], size=32, steps=2)
    assert image.shape == (32, 32, 3)


def test_dead_channel_wakes_up():
    """A channel zero everywhere at the start still gets a gradient (redirected ReLU)."""
    conv = nn.Conv2d(3, 2, 3, padding=1)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[1] = 0.01
        conv.bias.copy_(torch.tensor([0.0, -1.0]))  # channel 1 starts dead
    model = nn.Sequential(conv, nn.ReLU6())
    objective = [Objective("1", "channel", channel=1)]
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    with redirected_relus(model, "1"):
        (gradient,) = torch.autograd.grad(-objective_values(model(x), objective).sum(), [x])
    assert gradient.abs().sum() > 0
    assert "forward" not in model[1].__dict__
    (image,) = visualize(model, objective, size=16, steps=30)
    assert image.std() > 5  # not the flat grey of a never-optimized image


def test_a_depthwise_channel_whose_input_channel_starts_dead_wakes_up(lite0):
    """EfficientNet's `bn2` channel c reads only channel c of the block's `bn1`: when that
    one is zero on the starting image the objective's gradient dies before the layer, so
    the block's earlier activation is redirected too (it was left grey before)."""
    from interp.execute.feature_vis.redirect import redirect_scope

    assert redirect_scope(lite0.module, "blocks.5.3.bn2") == "blocks.5.3"
    assert redirect_scope(lite0.module, "blocks.5.3") == "blocks.5.3"  # a block: itself
    (image,) = visualize(
        lite0, [Objective("blocks.5.3.bn2", "channel", channel=700)], size=48, steps=16
    )
    assert image.std() > 5


def test_only_images_whose_gradient_dies_are_redirected():
    """In a batch, an image the ReLU lets a gradient through gets exactly the ReLU's
    gradient; one it blocks everywhere gets the redirected one."""
    model = nn.Sequential(nn.Identity(), nn.ReLU6())
    x = torch.stack([torch.linspace(-1, 7, 16), torch.linspace(-3, -1, 16)]).requires_grad_()
    weights = torch.linspace(-1, 1, 16)
    with redirected_relus(model, "1"):
        (gradient,) = torch.autograd.grad((model(x) * weights).sum(), [x])
    inside = (x[0] > 0) & (x[0] < 6)
    torch.testing.assert_close(gradient[0], weights * inside)
    # all below zero: the gradient passes where it pushes up, not where it pushes further down
    torch.testing.assert_close(gradient[1], weights.clamp_max(0))


def test_image_parameterization_and_warp():
    image = FourierImage([1, 2], (24, 20))
    pixels = image().detach()
    assert pixels.shape == (2, 3, 24, 20) and 0 < float(pixels.min()) <= float(pixels.max()) < 1
    assert torch.equal(FourierImage([1], 16)().detach(), FourierImage([1], 16)().detach())
    still = torch.tensor([[0.0, 0.0, 1.0, 0.0]])
    torch.testing.assert_close(warp(pixels[:1], still), pixels[:1], atol=1e-5, rtol=0)
    draws = Robustness().sample([7, 8], steps=5)
    assert draws.shape == (2, 5, 4) and torch.equal(draws[0], Robustness().sample([7], 5)[0])


def test_diverse_images_differ(lite0):
    objective = Objective(LAYER, "channel", channel=81)
    images = visualize_diverse(lite0, objective, 3, size=32, steps=4)
    assert len(images) == 3
    assert not np.array_equal(images[0], images[1]) and not np.array_equal(images[1], images[2])


def test_progress_is_silent_off_a_terminal(lite0, capsys):
    visualize(lite0, [Objective(LAYER, "channel", channel=1)], size=32, steps=2)
    assert capsys.readouterr().err == ""


def test_user_mistakes_are_interp_errors(lite0):
    with pytest.raises(InterpError, match="no layer 'blocks.4.2.bn9'") as caught:
        visualize(lite0, [Objective("blocks.4.2.bn9", "channel", channel=1)], size=32, steps=1)
    assert "blocks.4.2.bn1" in caught.value.render()
    with pytest.raises(InterpError, match="quality"):
        settings_for("ultra")


def test_batch_norms_run_as_affine_maps_with_the_same_values(lite0):
    from interp.execute.feature_vis.norms import affine_batch_norm

    x = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    x = x.contiguous(memory_format=torch.channels_last)
    original = torch.nn.functional.batch_norm
    with torch.no_grad():
        expected = lite0.module(lite0.normalize(x))
        with affine_batch_norm():
            assert torch.nn.functional.batch_norm is not original
            fast = lite0.module(lite0.normalize(x))
    assert torch.nn.functional.batch_norm is original
    torch.testing.assert_close(fast, expected, rtol=1e-4, atol=1e-4)


def gram_cosine(activation: torch.Tensor) -> float:
    """Mean pairwise cosine of the images' gram matrices: what the diversity term lowers."""
    flat = activation.flatten(2)
    grams = (flat @ flat.transpose(1, 2)).flatten(1)
    grams = grams / grams.norm(dim=1, keepdim=True)
    similarity = grams @ grams.T
    count = len(activation)
    return float((similarity.sum() - similarity.diag().sum()) / (count * (count - 1)))


def test_diversity_draws_different_pictures_that_keep_their_objective(lite0):
    """N pictures per atom: they differ, and differ in what the layer sees more than N
    independent starts do (the same seeds without the diversity term), while each keeps
    at least half of what those reach on the objective."""
    objective, channel = Objective(LAYER, "channel", channel=81), 81
    options = {"size": 48, "steps": 24, "progress": False}
    (diverse,) = visualize(lite0, [objective], diversity=3, **options)
    (independent,) = visualize(lite0, [objective], diversity=3, diversity_weight=0.0, **options)
    assert diverse.shape == independent.shape == (3, 48, 48, 3)
    assert diverse.dtype == np.uint8
    for i in range(3):
        for j in range(i + 1, 3):
            distance = np.abs(diverse[i].astype(float) - diverse[j].astype(float)).mean() / 255
            assert distance > 0.05, (i, j, distance)

    def activation(images):
        x01 = torch.tensor(np.asarray(images)).permute(0, 3, 1, 2).float() / 255
        with torch.no_grad(), capture(lite0.module, [LAYER], stop_after=LAYER) as record:
            run_until(lite0.module, lite0.normalize(x01))
        return record[LAYER]

    pushed, free = activation(diverse), activation(independent)
    assert gram_cosine(pushed) < gram_cosine(free) - 0.1
    reached = float(free[:, channel].mean())
    assert reached > 1.0
    scores = pushed[:, channel].mean(dim=(1, 2))
    assert (scores > 0.5 * reached).all(), (scores, reached)


def test_diverse_sets_are_batched_whole_cached_and_kept_apart(lite0, tmp_path, monkeypatch):
    objectives = [Objective(LAYER, "channel", channel=c) for c in CHANNELS]
    calls = count_batches(monkeypatch)
    cache = Cache(tmp_path)
    sets = visualize(lite0, objectives, size=32, steps=2, diversity=2, batch_size=5, cache=cache)
    assert [len(batch) for batch in calls] == [4, 2]  # whole sets of 2, at most 5 a batch
    assert [s.shape for s in sets] == [(2, 32, 32, 3)] * 3
    assert not np.array_equal(sets[0][0], sets[0][1])
    plain = visualize(lite0, objectives, size=32, steps=2, cache=cache)
    assert len(calls) == 3 and plain[0].shape == (32, 32, 3)  # a plain image is its own entry
    again = visualize(lite0, objectives[::-1], size=32, steps=2, diversity=2, cache=cache)
    assert len(calls) == 3  # served from the cache
    for ours, theirs in zip(again[::-1], sets, strict=True):
        assert np.array_equal(ours, theirs)
    visualize(lite0, objectives[:1], size=32, steps=2, diversity=3, cache=cache)
    assert len(calls) == 4  # a set of another size is other work
    with pytest.raises(ValueError, match="diversity must be a positive integer"):
        visualize(lite0, objectives, size=32, steps=2, diversity=0)
