"""Edited models (`model M with ablate/steer/clamp(...)`): the parser, printer and
builder agree; an edited model's logits equal those of a module edited by hand;
its fingerprint differs from the original's, so caches never mix them."""

from __future__ import annotations

import copy

import pytest
import torch

from interp.data.images import ImageSpec, load_image
from interp.models.load import load_model
from interp.models.spec import EditSpec, ModelSpec
from interp.syntax import builder as b
from interp.syntax import parse

LAYER = "blocks.4.2.bn1"
BASE = ModelSpec("builtin", "efficientnet_lite0", weights="random", seed=0)
TEXT = (
    "interface edited {\n"
    f'  model efficientnet_lite0(weights=random) with ablate(layer("{LAYER}").channels[222, 141]), '
    f'steer(layer("{LAYER}").channels[3], by=3.0), clamp(layer("{LAYER}").channels[5], min=0.5), '
    f'ablate(layer("{LAYER}").channels[7], to=mean), '
    f'ablate(layer("{LAYER}").channels[9], to=input(sample("astronaut")))\n'
    "}\n"
)


def test_fmt_round_trip_and_builder_make_the_same_text():
    spec = parse(TEXT)
    assert spec.to_text() == TEXT
    assert parse(spec.to_text()) == spec
    picked = b.layer(LAYER).channels
    built = b.spec(
        b.interface(
            "edited",
            model=b.with_(
                b.model("efficientnet_lite0", weights="random"),
                b.ablate(picked[222, 141]),
                b.steer(picked[3], by=3.0),
                b.clamp(picked[5], min=0.5),
                b.ablate(picked[7], to="mean"),
                b.ablate(picked[9], to=b.input(b.sample("astronaut"))),
            ),
        )
    )
    assert built.to_text() == TEXT


def _image(handle) -> torch.Tensor:
    return handle.preprocess(load_image(ImageSpec("sample", "chelsea")))


def _by_hand(handle, change) -> torch.Tensor:
    """Logits of a copy of the module whose layer output is changed by `change` (plain indexing)."""
    module = copy.deepcopy(handle.module)
    layer = dict(module.named_modules())[LAYER]
    layer.register_forward_hook(lambda _m, _i, out: change(out.clone()))
    with torch.no_grad():
        return module(_image(handle))


def _zero(out):
    out[:, [222, 141]] = 0
    return out


def _steer(out):
    out[:, 3] += 3.0 * out[:, 3].flatten(1).std(-1, correction=0)[:, None, None]
    return out


def _clamp(out):
    out[:, 5] = out[:, 5].clamp(min=0.5)
    return out


def _mean(out):
    out[:, 7] = out[:, 7].mean(dim=(-1, -2), keepdim=True).expand_as(out[:, 7])
    return out


@pytest.mark.parametrize(
    ("edit", "change"),
    [
        (EditSpec("ablate", LAYER, (222, 141)), _zero),
        (EditSpec("steer", LAYER, (3,), by=3.0), _steer),
        (EditSpec("clamp", LAYER, (5,), low=0.5), _clamp),
        (EditSpec("ablate", LAYER, (7,), to="mean"), _mean),
    ],
    ids=["ablate", "steer", "clamp", "mean"],
)
def test_edited_logits_equal_a_hand_edited_module(edit, change):
    base = load_model(BASE)
    handle = load_model(BASE.__class__(**{**BASE.__dict__, "edits": (edit,)}))
    with torch.no_grad():
        got = handle.module(_image(handle))
        original = base.module(_image(base))
    want = _by_hand(base, change)
    assert torch.allclose(got, want, atol=1e-5, rtol=1e-5)
    assert (got - original).abs().max() > 1e-4  # the edit changed something
    assert handle.fingerprint != base.fingerprint
    assert handle.spec.edits == (edit,)


def test_patching_puts_the_other_images_activations_in():
    base = load_model(BASE)
    edit = EditSpec("ablate", LAYER, (9, 10), to="input", image=("sample", "astronaut"))
    handle = load_model(BASE.__class__(**{**BASE.__dict__, "edits": (edit,)}))
    other = base.preprocess(load_image(ImageSpec("sample", "astronaut")))
    seen = {}
    layer = dict(base.module.named_modules())[LAYER]
    hook = layer.register_forward_hook(lambda _m, _i, out: seen.setdefault("a", out.clone()))
    with torch.no_grad():
        base.module(other)
    hook.remove()

    def patch(out):
        out[:, [9, 10]] = seen["a"][:, [9, 10]]
        return out

    with torch.no_grad():
        got = handle.module(_image(handle))
    assert torch.allclose(got, _by_hand(base, patch), atol=1e-5, rtol=1e-5)


def test_an_edited_page_says_its_edits(tmp_path):
    from interp.plan.build import _describe_model

    spec = ModelSpec(
        "builtin", "efficientnet_lite0", edits=(EditSpec("ablate", LAYER, (222, 141)),)
    )
    assert _describe_model(spec) == (
        "efficientnet_lite0, edited: channels 222, 141 of blocks.4.2.bn1 set to zero"
    )


def test_an_edit_may_name_a_let_and_reads_like_layer():
    from interp.check import check

    def edits(text):
        return check(parse(text), bind_models=False).interfaces[0].model.edits

    by_let = edits(
        "interface a {\n  model efficientnet_lite0 with steer(mid.channels[3], by=2)\n"
        f'  let mid = layer("{LAYER}")\n}}\n'
    )
    assert by_let == edits(
        f'interface a {{\n  model efficientnet_lite0 with steer(layer("{LAYER}").channels[3], by=2)\n}}\n'
    )
    assert by_let == (EditSpec("steer", LAYER, (3,), by=2.0),)


def test_patch_images_are_inputs_of_the_page(tmp_path):
    """A changed patch image is a new page (the page cache stamps the files a spec reads)."""
    from interp.check.inputs import spec_inputs

    for name in ("edit.png", "content.png"):
        (tmp_path / name).write_bytes(b"not read here")
    spec = parse(
        "interface a {\n"
        f'  model efficientnet_lite0 with ablate(layer("{LAYER}").channels[1], to=input("edit.png"))\n'
        f'  element e = ablation(layer("{LAYER}").channels -> output, to=input("content.png")) as bars\n'
        "}\n"
    )
    found = [p.name for p in spec_inputs(spec, tmp_path)]
    assert found == ["edit.png", "content.png"]


def test_ablating_to_a_datasets_mean_sets_each_channel_to_its_mean_over_the_examples():
    """`to=mean(over=pics)`: one number per channel, the mean over every example and
    position of the dataset on the unedited model, computed here by a plain loop."""
    from interp.check import check
    from interp.data.datasets import list_examples, load_example

    text = (
        "interface edited {\n"
        f"  model efficientnet_lite0(weights=random) with ablate(mid.channels[7, 9], to=mean(over=pics))\n\n"
        f'  let mid = layer("{LAYER}")\n'
        "  let pics = dataset(samples(), crops=6, seed=0)\n"
        "}\n"
    )
    assert parse(text).to_text() == text
    (edit,) = check(parse(text), bind_models=False).interfaces[0].model.edits
    assert edit.to == "mean" and edit.over.crops == 6
    assert edit.words() == (
        "channels 7, 9 of blocks.4.2.bn1 set to their mean over dataset(samples(), crops=6, seed=0)"
    )
    base = load_model(BASE)
    seen = []
    layer = dict(base.module.named_modules())[LAYER]
    hook = layer.register_forward_hook(lambda _m, _i, out: seen.append(out.detach().double()))
    with torch.no_grad():
        for example in list_examples(edit.over).examples:
            base.module(base.preprocess(load_example(example)))
    hook.remove()
    means = torch.cat(seen).mean(dim=(0, 2, 3)).float()

    def to_means(out):
        out[:, [7, 9]] = means[[7, 9]][None, :, None, None].expand_as(out[:, [7, 9]])
        return out

    handle = load_model(BASE.__class__(**{**BASE.__dict__, "edits": (edit,)}))
    with torch.no_grad():
        got = handle.module(_image(handle))
    assert torch.allclose(got, _by_hand(base, to_means), atol=1e-5, rtol=1e-5)


def test_a_mean_over_a_dataset_judged_by_the_model_is_refused_where_written():
    from interp.check import check
    from interp.errors import InterpError

    text = (
        "interface edited {\n"
        f'  model efficientnet_lite0(weights=random) with ablate(layer("{LAYER}").channels[7],'
        ' to=mean(over=pics.where(predicted="tabby")))\n'
        "  let pics = dataset(samples(), crops=6, seed=0)\n"
        "}\n"
    )
    with pytest.raises(InterpError) as caught:
        check(parse(text), bind_models=False)
    (diagnostic,) = caught.value.diagnostics
    assert "selected by label, not by the model's predictions" in diagnostic.message
    assert diagnostic.span.line == 2 and text.splitlines()[1][
        diagnostic.span.column - 1 :
    ].startswith("pics.where")
    bad = text.replace('pics.where(predicted="tabby")', "nope")
    with pytest.raises(InterpError, match="over= takes a dataset"):
        check(parse(bad), bind_models=False)
