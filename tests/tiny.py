"""A tiny image classifier for tests of models the caller supplies (`interp.from_module`)."""

import torch


def tiny_classifier(classes: int = 3, seed: int = 0) -> torch.nn.Module:
    """conv → ReLU → pool → linear: layers "0" to "4", seeded weights."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(
            torch.nn.Conv2d(3, 4, 3, padding=1),
            torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1),
            torch.nn.Flatten(),
            torch.nn.Linear(4, classes),
        )
