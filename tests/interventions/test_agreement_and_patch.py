"""`ablation_agreement` is scipy's Spearman on aligned contents; `ablation(..., to=input(IMG))`
patches in the other image's activations, as the edit `ablate(..., to=input(IMG))` does."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from scipy.stats import spearmanr

from interp.check.program import Substrate
from interp.compare.metrics import ablation_agreement
from interp.data.images import ImageSpec, load_image
from interp.execute.ablation import ablation_effects, ablation_values
from interp.models.load import load_model
from interp.models.spec import EditSpec, ModelSpec

LAYER = "blocks.5.3.bn1"
BASE = ModelSpec("builtin", "efficientnet_lite0", weights="random")


def test_agreement_is_spearman_on_the_shared_coordinates():
    rng = np.random.default_rng(0)
    a = xr.DataArray(rng.normal(size=(12, 2)), dims=("channel", "class"))
    b = xr.DataArray(rng.normal(size=(12, 2)), dims=("channel", "class"))
    want = spearmanr(a.values.ravel(), b.values.ravel()).statistic
    assert ablation_agreement(a, b) == pytest.approx(want)
    a[3, 1] = np.nan  # a coordinate `top` dropped is left out of both
    keep = ~np.isnan(a.values.ravel())
    want = spearmanr(a.values.ravel()[keep], b.values.ravel()[keep]).statistic
    assert ablation_agreement(a, b) == pytest.approx(want)
    assert ablation_agreement(a, a.T) == pytest.approx(1.0)  # aligned by axis names
    assert ablation_agreement(np.ones(4), np.arange(4.0)) is None  # a constant side


def test_patching_content_and_patching_edit_agree():
    handle = load_model(BASE)
    image = handle.preprocess(load_image(ImageSpec("sample", "chelsea")))
    other = handle.preprocess(load_image(ImageSpec("sample", "astronaut")))
    seen = {}
    layer = dict(handle.module.named_modules())[LAYER]
    hook = layer.register_forward_hook(lambda *a: seen.setdefault("a", a[2].clone()))
    with torch.no_grad():
        handle.module(other)
    hook.remove()
    source = Substrate("layer", LAYER, "channels")
    got = ablation_values(handle, image, source, [281, 285], (("to", ("sample", "astronaut")),))
    want = ablation_effects(handle.module, image, LAYER, "channels", [281, 285], "input", seen["a"])
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6, atol=1e-6)
    # the same patch as an edit: channel 5's effect is the edited model's logit change
    edited = load_model(
        ModelSpec(
            **{
                **BASE.__dict__,
                "edits": (
                    EditSpec("ablate", LAYER, (5,), to="input", image=("sample", "astronaut")),
                ),
            }
        )
    )
    with torch.no_grad():
        change = handle.module(image)[0, [281, 285]] - edited.module(image)[0, [281, 285]]
    np.testing.assert_allclose(got[5], change.numpy(), rtol=1e-4, atol=1e-5)
