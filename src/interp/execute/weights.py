"""`weights(A.channels -> B.channels)`: how each channel of A feeds each channel of B
through the parameters alone, whatever the input.

- **Kernel.** When B is a convolution that reads A's output unchanged (traced:
  `interp.models.flow`), the value is its kernel slice `W[b, a, ky, kx]`. A
  grouped or depthwise convolution connects only the pairs its groups do; the
  others are 0 (the array stays dense, so `top` and `select` work as on any
  pair, and a 0 pair ranks as "no connection").
- **Expanded weights** (Olah et al., "Visualizing Weights", Distill 2020)
  otherwise: the linear map from A to B on a copy of the model whose
  activations (ReLU, ReLU6, SiLU, GELU, Hardswish, ...) are the identity and
  whose max pools are average pools. Batch norms in eval mode are affine, so
  they stay: their scale multiplies the map, their shift drops out (a
  derivative). The value is a batched VJP: one backward pass per chunk of B's
  channels, each batch row the gradient of one channel of B at its grid's
  centre with respect to A's whole activation, cropped to where any row is
  non-zero (B's receptive field in A's coordinates, at most `MAX_SIDE`).
  When that field touches A's border, the input is doubled once so the
  kernel is whole. A path that stays non-linear once its activations are the
  identity (a squeeze-excitation gate multiplies activations) has no
  expanded weights: the map is checked at two inputs and refused if it moves.

Cached by the model's fingerprint (no image): `ctx.key(model, None, ...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import xarray as xr
from torch import nn

from interp.execute.context import RunContext
from interp.execute.forward import Inputs
from interp.models.flow import layer_graph
from interp.models.linear import MAX_SIDE, Window, check_linear, linearized, rows, window_at
from interp.plan import nodes

CACHE_VERSION = 1
CHUNK = 32  # target channels per batched backward pass
MAX_INPUT = 1024  # never grow the input past this side


@dataclass(frozen=True)
class Connection:
    """The weights `(channel, tchannel, ky, kx)` and how they were found, in words."""

    values: np.ndarray  # (source channels, target channels, ky, kx)
    targets: tuple[int, ...]
    how: str


def weights(node: nodes.Weights, inputs: Inputs, ctx: RunContext) -> xr.DataArray:
    """The `Weights` node: `(channel, tchannel, ky, kx)`, how it was found in `attrs["how"]`;
    cached by the model's fingerprint and the target channels, never by an image."""
    handle = ctx.model(node.model)
    targets = _targets(node, inputs)
    key = ctx.key(node.model, None, "weights", CACHE_VERSION, node.source, node.target, targets)
    cache = ctx.cache
    found = cache.get(key) if cache is not None else None
    if isinstance(found, dict) and {"values", "targets", "how"} <= set(found):
        how = bytes(found["how"].astype(np.uint8)).decode()
        connection = Connection(found["values"], tuple(found["targets"].tolist()), how)
    else:
        connection = connect(handle, node.source, node.target, targets)
        if cache is not None:
            how = np.frombuffer(connection.how.encode(), dtype=np.uint8)
            cache.put(
                key,
                {
                    "values": connection.values,
                    "targets": np.asarray(connection.targets, dtype=np.int64),
                    "how": how,
                },
            )
    return as_array(connection)


def as_array(connection: Connection) -> xr.DataArray:
    values = connection.values
    array = xr.DataArray(
        values,
        dims=("channel", "tchannel", "ky", "kx"),
        coords={
            "channel": np.arange(values.shape[0]),
            "tchannel": list(connection.targets),
            "ky": np.arange(values.shape[2]),
            "kx": np.arange(values.shape[3]),
        },
    )
    array.attrs["how"] = connection.how
    return array


def _targets(node: nodes.Weights, inputs: Inputs) -> tuple[int, ...] | None:
    """The target channels selections can reach; None: all of them."""
    if not node.restrict:
        return None
    reached: list[int] = []
    for restriction in node.restrict:
        if restriction.atoms is None:
            reached.extend(int(v) for v in restriction.values)
        else:
            reached.extend(int(atom[restriction.axis]) for atom in inputs[restriction.atoms])
    return tuple(dict.fromkeys(reached))


def connect(handle, source: str, target: str, targets: tuple[int, ...] | None) -> Connection:
    """The kernel or the expanded weights from `source` to `target` on `handle`'s model."""
    graph = layer_graph(handle)
    modules = dict(handle.module.named_modules())
    conv = modules.get(target)
    if isinstance(conv, nn.Conv2d) and graph.direct(source, target):
        return kernel(conv, target, targets)
    return expanded(handle, source, target, targets)


def kernel(conv: nn.Conv2d, name: str, targets: tuple[int, ...] | None) -> Connection:
    """`conv`'s kernel as `(in, out, ky, kx)`, dense over its groups (unconnected pairs 0)."""
    weight = conv.weight.detach().float().cpu().numpy()  # (out, in / groups, kh, kw)
    out, per_group, kh, kw = weight.shape
    groups = conv.groups
    chosen = tuple(range(out)) if targets is None else targets
    dense = np.zeros((conv.in_channels, len(chosen), kh, kw), dtype=np.float32)
    outs_per_group = out // groups
    for column, b in enumerate(chosen):
        first = (b // outs_per_group) * per_group
        dense[first : first + per_group, column] = weight[b]
    grouped = f", groups={groups}: pairs its groups do not connect are 0" if groups > 1 else ""
    how = f"the kernel of {name} ({kh}×{kw}{grouped}), which reads the source directly"
    return Connection(dense, chosen, how)


def expanded(handle, source: str, target: str, targets: tuple[int, ...] | None) -> Connection:
    """The expanded weights: a batched VJP through the linearized copy of the model."""
    model, replaced = linearized(handle.module)
    size = handle.input_size
    found = window_at(model, handle.device, source, target, size)
    if found.touches and 2 * size <= MAX_INPUT:
        try:
            larger = window_at(model, handle.device, source, target, 2 * size)
        except Exception:  # a model that takes one input size keeps its own
            larger = None
        if larger is not None and not larger.touches:
            found, size = larger, 2 * size
    channels = found.channels
    chosen = tuple(range(channels)) if targets is None else targets
    image = torch.zeros(1, 3, size, size, device=handle.device)
    parts, ran = [], set()
    for start in range(0, len(chosen), CHUNK):
        part = list(chosen[start : start + CHUNK])
        grads, seen = rows(model, image, source, target, part, replaced)
        ran |= seen
        if start == 0:
            check_linear(model, handle.device, source, target, part[:4], grads[:4], size)
        parts.append(found.crop(grads).cpu().numpy())
    values = np.concatenate(parts).transpose(1, 0, 2, 3) if parts else np.zeros((0, 0, 1, 1))
    return Connection(
        np.ascontiguousarray(values, dtype=np.float32), chosen, _how(found, replaced, ran, target)
    )


def _how(found: Window, replaced: dict[str, str], ran: set[str], target: str) -> str:
    """What the page says of expanded weights: what was linearized, and the kernel's extent."""
    kinds: dict[str, int] = {}
    for name in replaced:
        if name in ran:
            kinds[replaced[name]] = kinds.get(replaced[name], 0) + 1
    pools = kinds.pop("MaxPool2d", 0)
    side = f"{found.bottom - found.top + 1}×{found.right - found.left + 1}"
    linear = (
        ", ".join(f"{kind} ×{n}" for kind, n in kinds.items()) + " taken as the identity"
        if kinds
        else "no activation between them"
    )
    if pools:
        linear += f", max pool ×{pools} as average pools"
    notes = []
    if found.cropped:
        notes.append(f"cropped to the central {MAX_SIDE}×{MAX_SIDE}")
    if found.touches:
        notes.append("cut by the source's border")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return (
        f"expanded weights, activations linearized: {linear}; batch norms kept as their scale; "
        f"{side} of {target}'s centre unit's field{extra}"
    )
