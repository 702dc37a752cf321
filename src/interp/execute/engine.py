"""Contents as labeled arrays, computed once per (model, input).

An :class:`Engine` owns one model and one input image. It runs a single
forward pass for every layer the plan needs, and memoizes attribution
families and factorizations by their structural key, so no pass or
backward is computed twice however many elements share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import torch
import xarray as xr

from interp.check.bound import Content, Groups, Substrate
from interp.data.images import image_digest
from interp.execute import attribution as attr
from interp.execute import factorize
from interp.execute.cache import Cache
from interp.execute.hooks import capture, run_until
from interp.models.load import ModelHandle


@dataclass(frozen=True)
class GroupFactors:
    """NMF groups of one layer: footprints (k, H, W) and channel directions (k, C)."""

    footprints: np.ndarray
    directions: np.ndarray


@dataclass
class Engine:
    handle: ModelHandle
    image: np.ndarray  # H x W x 3 uint8, as loaded
    layers_needed: tuple[str, ...] = ()
    logits_needed: bool = True  # False: the shared pass may stop after the deepest layer
    cache: Cache | None = None
    _acts: dict[str, torch.Tensor] = field(default_factory=dict)
    _logits: torch.Tensor | None = None
    _attributions: dict[tuple, dict[int, np.ndarray] | np.ndarray] = field(default_factory=dict)
    _groups: dict[Groups, GroupFactors] = field(default_factory=dict)
    forward_passes: int = 0

    @property
    def model(self) -> torch.nn.Module:
        return self.handle.module

    @cached_property
    def input_tensor(self) -> torch.Tensor:
        """The preprocessed image, (1, 3, S, S), computed once."""
        return self.handle.preprocess(self.image)

    # ---- forward ----------------------------------------------------------------

    def _forward(self, *, logits: bool) -> None:
        """One pass for every layer still missing; it stops after the deepest
        of them unless the logits are wanted."""
        names = [n for n in dict.fromkeys(self.layers_needed) if n not in self._acts]
        order = {name: i for i, name in enumerate(self.handle.layer_names())}
        stop = None if logits or not names else max(names, key=lambda n: order.get(n, -1))
        with torch.no_grad(), capture(self.model, names, stop_after=stop) as record:
            output = run_until(self.model, self.input_tensor)
        self.forward_passes += 1
        self._acts.update({n: record[n][0].detach() for n in names})
        if output is not None:
            self._logits = output[0].detach()

    def activation(self, layer: str) -> torch.Tensor:
        """The layer's activation for the input, (C, H, W)."""
        if layer not in self._acts:
            if layer not in self.layers_needed:
                self.layers_needed = (*self.layers_needed, layer)
            self._forward(logits=self.logits_needed)
        return self._acts[layer]

    def logits(self) -> torch.Tensor:
        if self._logits is None:
            self._forward(logits=True)
        assert self._logits is not None
        return self._logits

    # ---- contents ---------------------------------------------------------------

    def activations(self, substrate: Substrate) -> xr.DataArray:
        if substrate.kind == "output":
            values = self.logits().cpu().numpy()
            array = xr.DataArray(
                values, dims=("class",), coords={"class": list(self.handle.labels)}
            )
            return array.sel({"class": list(substrate.labels)}) if substrate.labels else array
        if substrate.kind == "input":
            pixels = self.input_tensor[0].mean(0).cpu().numpy()
            return _spatial(pixels, ("y", "x"))
        cube = self.activation(substrate.layer).cpu().numpy()
        if substrate.groups is not None:
            factors = self.groups(substrate.groups)
            if substrate.footprint:
                return _spatial(factors.footprints, ("group", "y", "x"))
            projected = np.einsum("kc,chw->khw", factors.directions, cube)
            return _spatial(projected, ("group", "y", "x"))
        return _spatial(cube, ("channel", "y", "x"))

    def attribution(self, content: Content, restrict: tuple | None = None) -> xr.DataArray:
        """Attribution of every source atom to each target atom.

        `restrict` limits an output or channel target to the classes or
        channels a selection can offer; columns already computed for the same
        family are reused, so no target is computed twice.
        """
        source, target = content.source, content.target
        assert target is not None
        labels = list(self.handle.labels)
        names: list | None = None
        if target.kind == "output":
            names = list(target.labels or restrict or labels)
            indices: list[int] | None = [labels.index(c) for c in names]
        elif target.atoms == "channels" and target.groups is None and restrict is not None:
            names = indices = [int(c) for c in restrict]
        else:
            indices = None
        family = (
            source,
            target.kind,
            target.layer,
            target.atoms,
            target.groups,
            content.method,
            content.maxpool,
        )
        columns = self._attributions.setdefault(family, {})
        if -1 in columns and indices is not None and target.kind != "output":
            values = np.take(columns[-1], indices, axis=-1)  # all channels are known already
        else:
            missing = [i for i in (indices if indices is not None else [-1]) if i not in columns]
            if missing:
                computed = self._cached(
                    ("attribution", _spanless(family), None if indices is None else tuple(missing)),
                    lambda: self._sharing_forward(
                        lambda: attr.attribute(
                            self.model,
                            self.input_tensor,
                            self._atoms(source),
                            self._target(target, None if indices is None else tuple(missing)),
                            method=_method(content),
                            maxpool=content.maxpool,
                        )
                    ),
                )
                if indices is None:
                    columns[-1] = computed
                for position, index in enumerate(missing if indices is not None else []):
                    columns[index] = computed[..., position]
            values = (
                columns[-1] if indices is None else np.stack([columns[i] for i in indices], axis=-1)
            )
        dims = _dims(source, "source") + _dims(target, "target")
        array = xr.DataArray(values, dims=dims)
        array = array.assign_coords({d: np.arange(array.sizes[d]) for d in dims})
        if names is not None:
            array = array.assign_coords({dims[-1]: names})
        return array

    def groups(self, groups: Groups) -> GroupFactors:
        """NMF of the layer's (positions x channels) activations, gradient or attribution."""
        if groups not in self._groups:
            cube = self.activation(groups.layer)
            if groups.of == "activations":
                matrix, signed = cube, False
            else:
                label = groups.target or self.handle.labels[int(self.logits().argmax())]
                index = self.handle.labels.index(label)
                grad = attr.gradient(
                    self.model,
                    self.input_tensor,
                    groups.layer,
                    attr.Target(None, "classes", (index,)),
                )
                matrix = grad[0] if groups.of == "gradient" else grad[0] * cube
                signed = True
            channels, height, width = matrix.shape
            flat = matrix.reshape(channels, height * width).T.cpu().numpy()
            found = factorize.factorize(flat, groups.k, signed=signed, seed=0)
            self._groups[groups] = GroupFactors(
                np.asarray(found.footprints).T.reshape(groups.k, height, width),
                np.asarray(found.directions),
            )
        return self._groups[groups]

    def _sharing_forward(self, compute):
        """Run `compute` (an attribution) while recording, from its first pass
        over the input, the layers and logits this engine still lacks, so that
        pass doubles as the engine's own forward pass."""
        pending = [n for n in self.layers_needed if n not in self._acts]
        wanted = pending + ([""] if self._logits is None else [])
        with capture(self.model, wanted, first_only=True) as record:
            value = compute()
        batch = self.input_tensor.shape[0]
        if any(output.shape[0] == batch for output in record.outputs.values()):
            self.forward_passes += 1
        for name, output in record.outputs.items():
            if output.shape[0] != batch:
                continue  # not the pass over the input itself
            if name == "":
                self._logits = output[0].detach()
            else:
                self._acts[name] = output[0].detach()
        return value

    def _cached(self, key: tuple, compute) -> np.ndarray:
        """`compute()` as a numpy array, looked up first in the on-disk cache by content."""
        full_key = (self.handle.fingerprint, image_digest(self.image), *key)
        if self.cache is not None:
            found = self.cache.get(full_key)
            if found is not None:
                return found
        value = compute().detach().cpu().numpy()
        if self.cache is not None:
            self.cache.put(full_key, value)
        return value

    # ---- adapters to the tensor engine -------------------------------------------

    def _atoms(self, substrate: Substrate) -> attr.Atoms:
        if substrate.groups is not None:
            factors = self.groups(substrate.groups)
            return attr.Atoms(
                substrate.layer,
                "groups",
                directions=torch.as_tensor(factors.directions, dtype=torch.float32),
                footprints=torch.as_tensor(factors.footprints, dtype=torch.float32),
            )
        return attr.Atoms(substrate.layer if substrate.kind == "layer" else None, substrate.atoms)  # type: ignore[arg-type]

    def _target(self, substrate: Substrate, indices: tuple[int, ...] | None) -> attr.Target:
        if substrate.kind == "output":
            return attr.Target(None, "classes", indices)
        if substrate.atoms == "channels" and substrate.groups is None:
            return attr.Target(substrate.layer, "channels", indices)
        if substrate.groups is not None:
            directions = torch.as_tensor(
                self.groups(substrate.groups).directions, dtype=torch.float32
            )
            return attr.Target(substrate.layer, "groups", directions=directions)
        return attr.Target(substrate.layer, substrate.atoms)  # type: ignore[arg-type]


def _spanless(value):
    """Cache keys must not depend on where a spec wrote something."""
    if isinstance(value, tuple):
        return tuple(_spanless(v) for v in value)
    if isinstance(value, Substrate):
        return replace(value, span=None)
    return value


def _method(content: Content):
    if content.method.name == "integrated_gradients":
        return attr.IntegratedGradients(steps=content.method.steps)
    if content.method.name == "grad_cam":
        return "grad_cam"
    return "gradient_x_activation"


def _dims(substrate: Substrate, side: str) -> tuple[str, ...]:
    prefix = "t" if side == "target" else ""
    if substrate.kind == "output":
        return ("class",)
    if substrate.groups is not None:
        return (prefix + "group",)
    return {
        "spatial": (prefix + "y", prefix + "x"),
        "channels": (prefix + "channel",),
        "neurons": (prefix + "channel", prefix + "y", prefix + "x"),
    }[substrate.atoms]  # type: ignore[index]


def _spatial(values: np.ndarray, dims: tuple[str, ...]) -> xr.DataArray:
    array = xr.DataArray(values, dims=dims)
    return array.assign_coords({d: np.arange(array.sizes[d]) for d in dims})
