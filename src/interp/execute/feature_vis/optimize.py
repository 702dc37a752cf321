"""The batched optimizer: one image batch, many objectives, on a truncated model.

Every step renders the batch from its spectra, warps each image at random,
runs the model only up to the layer the objectives read (the forward stops
there), and ascends the sum of the per-image objectives, so each image's
gradient is its own objective's. Gradients are taken with respect to the
spectra only: no weight gradient is ever computed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from ...models.hooks import capture, run_until
from ...options import Pyramid, pyramid_stages
from .fold import folded_copy
from .norms import affine_batch_norm
from .objectives import OUTPUT, Objective, ObjectiveBatch
from .param import FourierImage
from .redirect import redirected_relus
from .transforms import Robustness, warp

Normalize = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an optimization besides the objective and the seed.

    Adam at a constant rate. On EfficientNet-Lite0 (8 channels, 128 px), 0.1
    for 64 steps matched Lucid's 0.05 for 256 steps in contrast and beat it in
    objective; cosine decay and warm-up only lowered the objective at every
    step count, and 0.2 oversaturates.
    """

    size: int = 128
    steps: int = 64
    lr: float = 0.05
    robustness: Robustness = field(default_factory=Robustness)
    diversity: float = 0.0
    redirect_relu: bool = True
    #: weigh each image's diversity term by its own objective (detached), so that
    #: `diversity` is a share of the objective, whatever the layer's scale
    relative_diversity: bool = False
    #: coarse-to-fine: the stages before the full-size one, smallest first, each a
    #: (fraction of the side, share of the steps); see `stages`
    pyramid: Pyramid = ()

    def stages(self) -> list[tuple[int, int]]:
        """``(side, steps)`` per stage, smallest first (`options.pyramid_stages`)."""
        return pyramid_stages(self.size, self.steps, self.pyramid)


def optimize_batch(
    module: nn.Module,
    normalize: Normalize,
    layer: str,
    objectives: Sequence[Objective],
    seeds: Sequence[int],
    settings: Settings,
    *,
    device: torch.device,
    groups: Sequence[int] | None = None,
    on_step: Callable[[], None] | None = None,
) -> torch.Tensor:
    """Optimize one image per objective; returns ``(B, 3, size, size)`` pixels in ``[0, 1]``.

    `objectives` all read `layer` (a module path, or ``"output"`` for the
    logits). Images sharing a `groups` id are pushed apart by Lucid's
    gram-matrix diversity term when ``settings.diversity > 0``.
    """
    draws = settings.robustness.sample(seeds, settings.steps).to(device)
    score = ObjectiveBatch(objectives, device)
    hooked = [] if layer == OUTPUT else [layer]
    stages = settings.stages()
    image = FourierImage(seeds, stages[0][0], device=device)
    done = 0
    with (
        redirected_relus(module, layer if settings.redirect_relu else None),
        capture(module, hooked, stop_after=hooked[0] if hooked else None) as record,
    ):
        for side, steps in stages:
            if side != image.height:
                # Adam moves every parameter about `lr` a step, so the frequencies new at
                # this stage move faster by the steps they missed: they reach the detail a
                # full-size run draws (`quality.high_frequency_share`, within 3%).
                image = image.upsampled(side, gain=settings.steps / (settings.steps - done))
            optimizer = torch.optim.Adam([image.spectrum], lr=settings.lr)
            for step in range(done, done + steps):
                values, activation = _step_values(
                    module, normalize, layer, image, draws[:, step], score, record
                )
                loss = -values.sum()
                if settings.diversity and groups is not None:
                    weights = values.detach().abs() if settings.relative_diversity else None
                    loss = loss + settings.diversity * diversity_penalty(
                        activation, groups, weights
                    )
                (gradient,) = torch.autograd.grad(loss, [image.spectrum])
                image.spectrum.grad = gradient
                optimizer.step()
                record.outputs.clear()
                if on_step is not None:
                    on_step()
            done += steps
    with torch.no_grad():
        return image().detach()


def _step_values(module, normalize, layer, image, draws, score, record):
    """One forward pass of the warped batch: each image's objective and the activation read."""
    inputs = normalize(warp(image(), draws))
    if inputs.device.type in ("cpu", "cuda"):
        inputs = inputs.contiguous(memory_format=torch.channels_last)
    output = run_until(module, inputs)
    activation = output if layer == OUTPUT else record[layer]
    return score(activation), activation


def diversity_penalty(
    activation: torch.Tensor, groups: Sequence[int], weights: torch.Tensor | None = None
) -> torch.Tensor:
    """Lucid's diversity: summed cosine similarity of gram matrices within each group.

    For a group of ``n`` images this is ``sum_i sum_{j != i} <G_i, G_j>`` with
    unit-norm gram matrices ``G``, i.e. ``n`` times Lucid's per-batch term.
    With `weights` ``(B,)``, image ``i``'s row is ``w_i / (n - 1) * sum_{j != i}
    <G_i, G_j>``: at most ``w_i``, reached when the images are all alike.
    """
    if activation.ndim == 2:
        activation = activation[:, :, None, None]
    flat = activation.flatten(2)  # (B, C, HW)
    grams = flat @ flat.transpose(1, 2)
    grams = grams.flatten(1)
    grams = grams / grams.norm(dim=1, keepdim=True).clamp_min(1e-10)
    ids = torch.tensor(list(groups), device=activation.device)
    same = (ids[:, None] == ids[None, :]).float()
    same.fill_diagonal_(0)
    similarity = (grams @ grams.T) * same
    if weights is None:
        return similarity.sum()
    others = same.sum(dim=1).clamp_min(1)
    return (similarity.sum(dim=1) * weights.to(similarity.dtype) / others).sum()


@contextmanager
def prepared(
    module: nn.Module,
    normalize: Normalize,
    device: torch.device,
    *,
    size: int,
    keep: Collection[str] = (),
) -> Iterator[nn.Module]:
    """A copy of `module` for the optimizer: eval mode, on `device`, channels-last, no weight
    gradients, batch norms folded into the convolutions that feed them and ReLU6s fused
    into them (`fold`, `fuse`; never a layer in `keep`), other batch norms run as affine
    maps (`norms.affine_batch_norm`).

    The folds are checked on a `size` px probe. The caller's module is never touched.
    """
    pixels = torch.rand(2, 3, size, size, generator=torch.Generator().manual_seed(0))
    folded = folded_copy(module, normalize(pixels.to(device)), keep)
    copy = folded.module.to(memory_format=torch.channels_last).requires_grad_(False)
    with affine_batch_norm(skip=folded.skipped()):
        yield copy
