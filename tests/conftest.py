"""Suite-wide settings: keep torch from oversubscribing the CI's two cores."""

import os

# Idle OpenMP threads spin by default; under pytest-xdist's two workers that
# slows torch down many times over. This must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(
        max(1, (os.cpu_count() or 2) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    )
