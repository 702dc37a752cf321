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


def tiny_model(seed: int = 0, labels: tuple[str, ...] = ("cat", "dog", "fox")):
    """`tiny_classifier` as interp's model handle: 32 px inputs, mean and std 0.5."""
    import interp

    return interp.from_module(
        tiny_classifier(len(labels), seed=seed),
        labels=list(labels),
        mean=(0.5,) * 3,
        std=(0.5,) * 3,
        input_size=32,
    )
