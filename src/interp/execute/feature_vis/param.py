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
        self.height, self.width, self.decay_power = height, width, decay_power
        shape = (3, height, width // 2 + 1, 2)
        init = torch.stack([_randn(shape, seed) for seed in seeds] or [torch.zeros(shape)])
        init = init[: len(seeds)] * INIT_SCALE
        self.spectrum = torch.nn.Parameter(init.to(device))
        scale = frequency_scale(height, width, decay_power) / SPECTRUM_DIVISOR
        self.register_buffer("scale", scale.to(device), persistent=False)
        self.register_buffer("mixing", COLOR_MIXING.T.contiguous().to(device), persistent=False)

    def decorrelated(self) -> torch.Tensor:
        """Pre-sigmoid image in the decorrelated colour space, ``(B, 3, H, W)``."""
        spectrum = torch.view_as_complex(self.spectrum) * self.scale
        return torch.fft.irfft2(spectrum, s=(self.height, self.width), norm="ortho")

    def upsampled(self, side: int, gain: float = 1.0) -> FourierImage:
        """The same images at `side` px: the spectrum moved into a larger grid.

        Zero-padding a spectrum is band-limited interpolation: the larger image
        shows exactly the smaller one, and its new high frequencies start at zero
        for the optimization to fill. (The smaller grid's Nyquist row and column
        are dropped: they carry the least of a ``1/f`` image's energy.) `gain`
        scales the new frequencies' parameters, so a shorter fine stage can
        still reach the detail a full-size optimization draws.
        """
        larger = FourierImage([], side, decay_power=self.decay_power)
        larger.to(self.spectrum.device)
        rows, columns = (self.height + 1) // 2, self.width // 2  # below Nyquist
        negative = self.height - rows - (self.height % 2 == 0)
        old = torch.zeros_like(larger.scale, dtype=torch.bool)
        old[:rows, :columns] = True
        if negative:
            old[-negative:, :columns] = True
        with torch.no_grad():
            small = torch.view_as_complex(self.spectrum.detach()) * self.scale
            grid = small.new_zeros(small.shape[:2] + larger.scale.shape)
            grid[:, :, :rows, :columns] = small[:, :, :rows, :columns]
            if negative:
                grid[:, :, -negative:, :columns] = small[:, :, -negative:, :columns]
            # `norm="ortho"` divides by the square root of the pixel count: keep the pixels' scale.
            grid = grid * ((larger.height * larger.width) / (self.height * self.width)) ** 0.5
            larger.scale = torch.where(old, larger.scale, larger.scale * gain)
            larger.spectrum = torch.nn.Parameter(
                torch.view_as_real(grid / larger.scale).contiguous()
            )
        return larger

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
