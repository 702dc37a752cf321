"""Edited models (`model M with ablate(...), steer(...), clamp(...)`): a copy of the
model whose named modules' outputs are changed by forward hooks, so every content,
presentation and metric runs on it unchanged. Its fingerprint covers the edits, so
no cache mixes an edited model's values with the original's.

What each edit does to channels `c` of a layer's output `a` (shape ``(N, C, ...)``):

- ``ablate``: ``a[:, c] = 0``; ``to=mean``: each channel's mean over the input's
  positions (per example); ``to=mean(over=D)``: its mean over dataset D's examples and
  positions (one number per channel, measured on the unedited model); ``to=input(IMG)``: the activations the unedited model
  gives on IMG (cropped and normalized as inputs are): activation patching.
- ``steer(by=s)``: ``a[:, c] += s × std(a[:, c])``, the std over the input's positions
  (per example): a multiple of the channel's own scale on this input.
- ``clamp(min=, max=)``: ``a[:, c]`` limited to ``[min, max]``.

Edits are differentiable (masks, not in-place writes), so attribution and
feature visualization see through them.
"""

from __future__ import annotations

import copy
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace

import torch
from torch import nn

from interp.data.images import ImageSpec, load_image
from interp.models.hooks import capture, run_until
from interp.models.layouts import layout_of
from interp.models.spec import EditSpec

EditFn = Callable[[torch.Tensor], torch.Tensor]


def channel_mask(output: torch.Tensor, channels: Sequence[int]) -> torch.Tensor:
    """A bool mask over `output`'s channel axis (axis 1), broadcastable to `output`."""
    mask = torch.zeros(output.shape[1], dtype=torch.bool, device=output.device)
    mask[list(channels)] = True
    return mask.view(1, -1, *([1] * (output.ndim - 2)))


def position_mean(output: torch.Tensor) -> torch.Tensor:
    """Each example's channels averaged over positions, broadcast back to `output`'s shape."""
    if output.ndim <= 2:
        return output
    return output.flatten(2).mean(-1).view(*output.shape[:2], *([1] * (output.ndim - 2)))


def position_std(output: torch.Tensor) -> torch.Tensor:
    """Each example's channels' standard deviation over positions (population), broadcast."""
    if output.ndim <= 2:
        return output.std(dim=1, correction=0, keepdim=True).expand_as(output)
    return (
        output.flatten(2).std(-1, correction=0).view(*output.shape[:2], *([1] * (output.ndim - 2)))
    )


def edit_function(edit: EditSpec, patch: torch.Tensor | None = None) -> EditFn:
    """The function that changes a layer's output as `edit` says (`patch`: to=input's
    activations on the other image, ``(1, C, ...)``, or to=mean(over=D)'s channel means)."""

    def run(output: torch.Tensor) -> torch.Tensor:
        mask = channel_mask(output, edit.channels)
        if edit.kind == "steer":
            new = output + edit.by * position_std(output)
        elif edit.kind == "clamp":
            new = output.clamp(edit.low, edit.high)
        elif edit.to == "mean" and patch is not None:  # the dataset's channel means
            shape = (1, -1, *([1] * (output.ndim - 2)))
            new = patch.to(output.device, output.dtype).view(shape).expand_as(output)
        elif edit.to == "mean":
            new = position_mean(output)
        elif edit.to == "input":
            assert patch is not None
            new = patch.to(output.dtype).expand_as(output)
        else:
            new = torch.zeros_like(output)
        return torch.where(mask, new, output)

    return run


def patch_activation(handle, layer: str, image: tuple[str, str]) -> torch.Tensor:
    """`layer`'s output on another image, through the unedited model (the patch source)."""
    x = handle.preprocess(load_image(ImageSpec(*image)))
    with torch.no_grad(), capture(handle.module, [layer], stop_after=layer) as record:
        run_until(handle.module, x)
    return record[layer].detach()


def dataset_means(handle, layer: str, dataset, batch: int = 32) -> torch.Tensor:
    """`layer`'s channel means over `dataset`'s examples and positions, on the unedited
    model (examples whose pixels cannot be read are skipped, as the dataset pass does)."""
    from interp.data.datasets import list_examples, load_example
    from interp.errors import InterpError, error

    examples = list_examples(dataset).examples
    total, count = None, 0
    for start in range(0, len(examples), batch):
        images = []
        for example in examples[start : start + batch]:
            try:
                images.append(handle.preprocess(load_example(example)))
            except InterpError:
                continue
        if not images:
            continue
        with torch.no_grad(), capture(handle.module, [layer], stop_after=layer) as record:
            run_until(handle.module, torch.cat(images))
        values = record[layer].detach().double()
        sums = values.sum(dim=[d for d in range(values.ndim) if d != 1])
        total = sums if total is None else total + sums
        count += values.numel() // values.shape[1]
    if total is None:
        raise error(
            f"to=mean(over={dataset.describe()}): no example could be read",
            dataset.span,
            hint="check the dataset's files",
        )
    return (total / count).float()


def edited(handle, edits: tuple[EditSpec, ...]):
    """`handle` with `edits` applied: a copy of its module with one forward hook per edit."""
    return _edited(handle, edits)


@functools.lru_cache(maxsize=8)
def _edited(handle, edits: tuple[EditSpec, ...]):
    module = copy.deepcopy(handle.module)
    modules = dict(module.named_modules())
    digest = hashlib.sha256(f"{handle.fingerprint}|edits".encode())
    for edit in edits:
        patch = None
        if edit.to == "input":
            patch = patch_activation(handle, edit.layer, edit.image)
        elif edit.to == "mean" and edit.over is not None:
            patch = dataset_means(handle, edit.layer, edit.over)
        digest.update(edit.to_text().encode())
        if patch is not None:
            digest.update(patch.cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
        fn = edit_function(edit, patch)
        modules[edit.layer].register_forward_hook(_hook(fn))
    spec = replace(handle.spec, edits=edits)
    return replace(handle, module=module, spec=spec, fingerprint=digest.hexdigest())


def _hook(fn: EditFn):
    """The forward hook running `fn` on the output read channels-first (a channels-last or
    token layer's output is converted there and back, so `channels[...]` are its features)."""

    def hook(module: nn.Module, _inputs: tuple, output: torch.Tensor) -> torch.Tensor:
        layout = layout_of(module, tuple(output.shape[1:]))
        return layout.from_chw(fn(layout.to_chw(output)), output)

    return hook
