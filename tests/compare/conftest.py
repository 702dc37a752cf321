"""A two-layer linear net whose attribution is known in closed form.

`logits = sum over positions of conv2(conv1(x))` with 1x1 convolutions, so
every logit is a sum of per-position terms and removing an atom changes it by
exactly that atom's term. With the weights below and the input `x[0] = p`
(the position's index 0..15, row-major), `x[1] = 1`, `x[2] = 0`, class 0
reads `sum_p (h0 - 4 h1)` of the hidden layer `h0 = x0 + x2 = p`,
`h1 = x1 = 1`: the logit is `sum_p (p - 4) = 56`, and the activation x
gradient of position `p` (of the input or of conv1) is `p - 4`; of conv1's
channels, 120 and -64.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

POSITIONS = np.arange(16.0).reshape(4, 4)


class TinyLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 2, 1, bias=False)
        self.conv2 = nn.Conv2d(2, 2, 1, bias=False)
        with torch.no_grad():
            self.conv1.weight.copy_(torch.tensor([[1.0, 0, 1], [0, 1, 0]]).reshape(2, 3, 1, 1))
            self.conv2.weight.copy_(torch.tensor([[1.0, -4], [2, 1]]).reshape(2, 2, 1, 1))
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return self.conv2(self.conv1(x)).sum(dim=(2, 3))


@pytest.fixture
def tiny():
    return TinyLinear().eval().requires_grad_(False)


@pytest.fixture
def x():
    planes = [POSITIONS, np.ones((4, 4)), np.zeros((4, 4))]
    return torch.tensor(np.stack(planes)[None], dtype=torch.float32)
