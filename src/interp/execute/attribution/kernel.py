"""The plan's `Attribute` node on the batched utility: one family, its targets, cached by content.

Targets are every class or channel unless the node is restricted: then the
union of what its restrictions reach (literal coordinates, or the atoms a
selector element offers). When the node carries the interface's forward pass
(`capture`, `logits`), its first pass over the input records those too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import xarray as xr

from interp.check.program import Substrate
from interp.execute.ablation import ablation_values
from interp.execute.attribution.core import Atoms, Target, attribute
from interp.execute.attribution.methods import method_of
from interp.execute.context import RunContext
from interp.execute.forward import Captured, Inputs, record, spatial
from interp.keys import TARGET_PREFIX
from interp.models.hooks import capture
from interp.plan import nodes
from interp.vocabulary.methods import ABLATION

CACHE_VERSION = 3  # 3: channels-last and token layers read channels-first; ablation


@dataclass(frozen=True)
class Attributed:
    """An attribution family's array, and what its first pass recorded (when asked)."""

    array: xr.DataArray
    captured: Captured | None = None


def attribution(node: nodes.Attribute, inputs: Inputs, ctx: RunContext) -> Attributed:
    handle = ctx.model(node.model)
    image = ctx.input_tensor(node.model, node.image)
    factors = {f.groups: inputs[f] for f in node.factors}
    labels = list(handle.labels)
    names, indices = _targets(node, inputs, labels)
    wanted = [*node.capture, *([""] if node.logits else [])]
    recorded: dict[str, torch.Tensor] = {}

    def compute() -> np.ndarray:
        if node.method.name == ABLATION.name:  # exact suffix passes, not gradients
            return ablation_values(handle, image, node.source, indices, node.method.arguments)
        with capture(handle.module, wanted, first_only=True) as probe:
            values = attribute(
                handle.module,
                image,
                _atoms(node.source, factors),
                _target(node.target, indices, factors),
                method=method_of(node.method.name, node.method.arguments),
                maxpool=node.maxpool,
            )
        recorded.update({n: o for n, o in probe.outputs.items() if o.shape[0] == image.shape[0]})
        return values.detach().cpu().numpy()

    key = ctx.key(node.model, node.image, "attribution", CACHE_VERSION, _family(node), indices)
    cache = ctx.cache
    values = cache.get(key) if cache is not None else None
    if not isinstance(values, np.ndarray):
        values = compute()
        if cache is not None:
            cache.put(key, values)
    captured = None
    if wanted:
        if not recorded:  # served from the cache: record the pass on its own
            captured = record(
                handle.module, image, list(node.capture), node.logits, node.model.name
            )
        else:
            acts = {n: recorded[n][0].detach().cpu().numpy() for n in node.capture}
            logits = recorded[""][0].detach().cpu().numpy() if node.logits else None
            captured = Captured(acts, logits)
    dims = _dims(node.source, "source") + _dims(node.target, "target")
    array = spatial(values, dims)
    if names is not None:
        array = array.assign_coords({dims[-1]: names})
    return Attributed(array, captured)


def _targets(node: nodes.Attribute, inputs: Inputs, labels: list[str]):
    """(coordinate names, indices) of the target scalars to compute; (None, None) = all."""
    reached: list = []
    for restriction in node.restrict:
        if restriction.atoms is None:
            reached.extend(restriction.values)
        else:
            reached.extend(atom[restriction.axis] for atom in inputs[restriction.atoms])
    reached = list(dict.fromkeys(reached))
    target = node.target
    if target.kind == "output":
        names = list(target.labels or reached or labels)
        return names, tuple(labels.index(c) for c in names)
    if target.atoms == "channels" and target.groups is None and node.restrict:
        channels = [int(c) for c in reached]
        return channels, tuple(channels)
    return None, None


def _family(node: nodes.Attribute) -> tuple:
    """What the values depend on (not what the pass also records)."""
    return (node.source, node.target, node.method, node.maxpool)


def _atoms(substrate: Substrate, factors: dict) -> Atoms:
    if substrate.groups is not None:
        found = factors[substrate.groups]
        return Atoms(
            substrate.layer,
            "groups",
            directions=torch.as_tensor(found.directions, dtype=torch.float32),
            footprints=torch.as_tensor(found.footprints, dtype=torch.float32),
        )
    layer = substrate.layer if substrate.kind == "layer" else None
    return Atoms(layer, substrate.atoms)  # type: ignore[arg-type]


def _target(substrate: Substrate, indices: tuple[int, ...] | None, factors: dict) -> Target:
    if substrate.kind == "output":
        return Target(None, "classes", indices)
    if substrate.groups is not None:
        directions = torch.as_tensor(factors[substrate.groups].directions, dtype=torch.float32)
        return Target(substrate.layer, "groups", directions=directions)
    if substrate.atoms == "channels":
        return Target(substrate.layer, "channels", indices)
    return Target(substrate.layer, substrate.atoms)  # type: ignore[arg-type]


def _dims(substrate: Substrate, side: str) -> tuple[str, ...]:
    prefix = TARGET_PREFIX if side == "target" else ""
    if substrate.kind == "output":
        return ("class",)
    if substrate.groups is not None:
        return (prefix + "group",)
    return {
        "spatial": (prefix + "y", prefix + "x"),
        "channels": (prefix + "channel",),
        "neurons": (prefix + "channel", prefix + "y", prefix + "x"),
    }[substrate.atoms]  # type: ignore[index]
