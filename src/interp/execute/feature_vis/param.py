"""The image parameterization: a decorrelated Fourier basis, squashed to pixels.

As in Lucid (Olah et al., "Feature Visualization", Distill 2017): each image
is a real 2-D spectrum per colour channel, scaled by ``1/f`` so every
frequency starts on an equal footing (the gradient no longer favours high
frequencies), turned into pixels with an inverse FFT, mixed from a
decorrelated colour space into RGB with the square root of ImageNet's colour
covariance, and passed through a sigmoid into ``[0, 1]``.

The spectrum is stored as ``(B, 3, H, W//2 + 1, 2)`` (real, imaginary);
element ``b`` is initialized from its own seed, so an image never depends on
which batch it was optimized in.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

# Square root of ImageNet's RGB colour covariance (Lucid's
# `color_correlation_svd_sqrt`), scaled so its largest column has unit norm.
_COLOR_SQRT = torch.tensor([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
COLOR_MIXING = _COLOR_SQRT / _COLOR_SQRT.norm(dim=0).max()
INIT_SCALE = 0.01
SPECTRUM_DIVISOR = 4.0  # Lucid's constant: a smaller initial contrast saturates less


def frequency_scale(height: int, width: int, decay_power: float = 1.0) -> torch.Tensor:
    """``1 / max(|f|, 1/max(H, W)) ** decay_power`` for the ``(H, W//2 + 1)`` rfft grid."""
    fy = torch.fft.fftfreq(height)[:, None]
    fx = torch.fft.rfftfreq(width)[None, :]
    magnitude = (fx * fx + fy * fy).sqrt()
    return magnitude.clamp_min(1.0 / max(height, width)) ** -decay_power


class FourierImage(torch.nn.Module):
    """A batch of images parameterized by their 1/f-scaled, colour-decorrelated spectra.

    ``forward()`` returns ``(B, 3, H, W)`` pixels in ``[0, 1]``.
    """

    def __init__(
        self,
        seeds: Sequence[int],
        size: int | tuple[int, int],
        *,
        device: torch.device | str | None = None,
        decay_power: float = 1.0,
    ):
        super().__init__()
        height, width = (size, size) if isinstance(size, int) else size
        self.height, self.width = height, width
        shape = (3, height, width // 2 + 1, 2)
        init = torch.stack([_randn(shape, seed) for seed in seeds]) * INIT_SCALE
        self.spectrum = torch.nn.Parameter(init.to(device))
        scale = frequency_scale(height, width, decay_power) / SPECTRUM_DIVISOR
        self.register_buffer("scale", scale.to(device), persistent=False)
        self.register_buffer("mixing", COLOR_MIXING.T.contiguous().to(device), persistent=False)

    def decorrelated(self) -> torch.Tensor:
        """Pre-sigmoid image in the decorrelated colour space, ``(B, 3, H, W)``."""
        spectrum = torch.view_as_complex(self.spectrum) * self.scale
        return torch.fft.irfft2(spectrum, s=(self.height, self.width), norm="ortho")

    def forward(self) -> torch.Tensor:
        mixed = torch.einsum("bchw,cd->bdhw", self.decorrelated(), self.mixing)
        return torch.sigmoid(mixed)


def _randn(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator)


def to_uint8(images: torch.Tensor) -> list:
    """``(B, 3, H, W)`` in ``[0, 1]`` → list of ``H x W x 3`` uint8 numpy arrays."""
    pixels = (images.detach().float().clamp(0, 1) * 255).round().to(torch.uint8)
    return list(pixels.permute(0, 2, 3, 1).cpu().numpy())
