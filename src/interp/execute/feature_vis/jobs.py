"""What a feature-visualization run optimizes: jobs, their seeds, shared directions, batches.

A job is one image: the objective it maximizes, its seed, and its diversity
group (images of one group are pushed apart; 0 for none). Jobs are planned
before anything runs: nearly identical directions share one image, and a
layer's jobs are cut into batches that never split a diversity group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ...cache import digest
from .objectives import Objective


@dataclass(frozen=True)
class Job:
    """One optimization: the objective it maximizes and the seed of its image."""

    objective: Objective
    seed: int
    group: int = 0


def image_seed(seed: int, objective: Objective, index: int = 0) -> int:
    """The image's own seed: from the user's seed and the objective, never from batch mates."""
    return int(digest(("feature_vis_seed", seed, objective, index))[:15], 16)


def share_directions(jobs: Sequence[Job], threshold: float) -> dict[Job, Job]:
    """Map each job to the job that draws it: the first earlier direction job within `threshold` cosine."""
    shared: dict[Job, Job] = {}
    leaders: dict[tuple, list[tuple[Job, np.ndarray]]] = {}
    for job in jobs:
        o = job.objective
        if o.kind != "direction":
            shared[job] = job
            continue
        vector = np.asarray(o.direction, dtype=np.float64)
        unit = vector / max(np.linalg.norm(vector), 1e-12)
        family = leaders.setdefault((o.layer, o.cosine_power, job.group), [])
        match = next((leader for leader, u in family if float(unit @ u) > threshold), None)
        if match is None:
            family.append((job, unit))
        shared[job] = match or job
    return shared


def cut_batches(jobs: Sequence[Job], batch_size: int) -> list[list[Job]]:
    """Jobs grouped by layer (deepest work shared per layer), split into chunks of `batch_size`."""
    by_layer: dict[str, list[Job]] = {}
    for job in jobs:
        by_layer.setdefault(job.objective.layer, []).append(job)
    return [
        same[start : start + batch_size]
        for same in by_layer.values()
        for start in range(0, len(same), batch_size)
    ]
