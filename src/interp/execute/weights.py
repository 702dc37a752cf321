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

import copy
from dataclasses import dataclass

import numpy as np
import torch
import xarray as xr
from torch import nn

from interp.errors import error
from interp.execute.attribution.elementwise import ACTIVATIONS
from interp.execute.context import RunContext
from interp.execute.forward import Inputs
from interp.models.flow import layer_graph
from interp.models.hooks import capture, run_until
from interp.plan import nodes

CACHE_VERSION = 1
CHUNK = 32  # target channels per batched backward pass
MAX_SIDE = 25  # the largest kernel kept, in A's positions
MAX_INPUT = 1024  # never grow the input past this side
LINEAR_TOLERANCE = 1e-4  # relative change of the map between two inputs that counts as non-linear


@dataclass(frozen=True)
class Connection:
    """The weights `(channel, tchannel, ky, kx)` and how they were found, in words."""

    values: np.ndarray  # (source channels, target channels, ky, kx)
    targets: tuple[int, ...]
    how: str


def weights(node: nodes.Weights, inputs: Inputs, ctx: RunContext) -> xr.DataArray:
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
    dense = np.zeros((conv.in_channels, out, kh, kw), dtype=np.float32)
    outs_per_group = out // groups
    for b in range(out):
        first = (b // outs_per_group) * per_group
        dense[first : first + per_group, b] = weight[b]
    chosen = tuple(range(out)) if targets is None else targets
    grouped = f", groups={groups}: pairs its groups do not connect are 0" if groups > 1 else ""
    how = f"the kernel of {name} ({kh}×{kw}{grouped}), which reads the source directly"
    return Connection(dense[:, list(chosen)], chosen, how)


def expanded(handle, source: str, target: str, targets: tuple[int, ...] | None) -> Connection:
    """The expanded weights: a batched VJP through the linearized copy of the model."""
    model, replaced = linearized(handle.module)
    size = handle.input_size
    found = _window_at(model, handle.device, source, target, size)
    if found.touches and 2 * size <= MAX_INPUT:
        try:
            larger = _window_at(model, handle.device, source, target, 2 * size)
        except Exception:  # a model that takes one input size keeps its own
            larger = None
        if larger is not None and not larger.touches:
            found, size = larger, 2 * size
    channels = found.channels
    chosen = tuple(range(channels)) if targets is None else targets
    image = torch.zeros(1, 3, size, size, device=handle.device)
    rows, ran = [], set()
    for start in range(0, len(chosen), CHUNK):
        part = list(chosen[start : start + CHUNK])
        grads, seen = _rows(model, image, source, target, part, replaced)
        ran |= seen
        if start == 0:
            _check_linear(model, handle.device, source, target, part[:4], grads[:4], size)
        rows.append(found.crop(grads).cpu().numpy())
    values = np.concatenate(rows).transpose(1, 0, 2, 3) if rows else np.zeros((0, 0, 1, 1))
    return Connection(
        np.ascontiguousarray(values, dtype=np.float32), chosen, _how(found, replaced, ran, target)
    )


def linearized(module: nn.Module) -> tuple[nn.Module, dict[str, str]]:
    """A frozen copy of `module` with its activations the identity and max pools averages;
    the replaced modules' paths and what they were."""
    model = copy.deepcopy(module).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    replaced: dict[str, str] = {}
    for path, parent in list(model.named_modules()):
        for name, child in list(parent.named_children()):
            full = f"{path}.{name}" if path else name
            if isinstance(child, ACTIVATIONS):
                setattr(parent, name, nn.Identity())
                replaced[full] = type(child).__name__
            elif isinstance(child, nn.MaxPool2d):
                setattr(
                    parent,
                    name,
                    nn.AvgPool2d(child.kernel_size, child.stride, child.padding, child.ceil_mode),
                )
                replaced[full] = "MaxPool2d"
    return model, replaced


@dataclass(frozen=True)
class Window:
    """Where B's centre unit sees A: rows `top..bottom`, columns `left..right` of A's grid."""

    top: int
    bottom: int
    left: int
    right: int
    grid: tuple[int, int]
    touches: bool  # the field reaches A's border (padding may have cut it)
    cropped: bool  # the field was wider than MAX_SIDE
    channels: int  # B's channels

    def crop(self, grads: torch.Tensor) -> torch.Tensor:
        return grads[:, :, self.top : self.bottom + 1, self.left : self.right + 1]


def _window_at(model: nn.Module, device, source: str, target: str, size: int) -> Window:
    """B's field in A at input side `size`: one VJP of a random mix of B's channels."""
    image = torch.zeros(1, 3, size, size, device=device)
    leaf, out = _leaf_and_output(model, image, source, target)
    generator = torch.Generator().manual_seed(0)
    mix = torch.randn(out.shape[1], generator=generator).to(out.device)
    centre = out[0, :, out.shape[2] // 2, out.shape[3] // 2]
    (grad,) = torch.autograd.grad((centre * mix).sum(), leaf)
    mass = grad[0].abs().sum(0)
    height, width = mass.shape
    rows, columns = torch.nonzero(mass > mass.max() * 1e-7, as_tuple=True)
    if len(rows) == 0:
        raise error(
            f"{source!r} does not reach {target!r} once its activations are the identity",
            hint="weights need a path of the model from the source to the target",
        )
    top, bottom = int(rows.min()), int(rows.max())
    left, right = int(columns.min()), int(columns.max())
    touches = (top == 0 or left == 0 or bottom == height - 1 or right == width - 1) and (
        height > bottom - top + 1 or width > right - left + 1
    )
    top, bottom, cut_rows = _bounded(top, bottom)
    left, right, cut_columns = _bounded(left, right)
    return Window(
        top,
        bottom,
        left,
        right,
        (height, width),
        touches,
        cut_rows or cut_columns,
        int(out.shape[1]),
    )


def _bounded(low: int, high: int) -> tuple[int, int, bool]:
    """`low..high` cut to at most MAX_SIDE around its middle."""
    if high - low + 1 <= MAX_SIDE:
        return low, high, False
    middle = (low + high) // 2
    low = middle - MAX_SIDE // 2
    return low, low + MAX_SIDE - 1, True


def _leaf_and_output(model, image, source: str, target: str):
    """One pass over `image`: A's output made a leaf that requires grad, and B's output."""
    leaves: list[torch.Tensor] = []

    def edit(output: torch.Tensor) -> torch.Tensor:
        if leaves:  # a module run twice: the first call is the layer
            return output
        leaf = output.detach().requires_grad_(True)
        leaves.append(leaf)
        return leaf.clone()  # modules downstream may write in place; the leaf stays whole

    with (
        torch.enable_grad(),
        capture(model, [target], edits={source: edit}, stop_after=target) as run,
    ):
        run_until(model, image)
    out = run.outputs.get(target)
    if not leaves or out is None or out.ndim != 4 or out.grad_fn is None:
        raise error(
            f"{source!r} does not feed {target!r} on this model's forward pass",
            hint="weights need the source to run before the target, on a path to it",
        )
    return leaves[0], out


def _rows(model, image, source: str, target: str, channels: list[int], replaced: dict[str, str]):
    """`d B[c, centre] / d A` for each target channel `c`: one batched backward pass; and the
    replaced modules that ran between A and B."""
    ran: set[str] = set()
    started: list[bool] = []
    modules = dict(model.named_modules())
    hooks = []

    def mark(name: str):
        def hook(_module, _inputs, _output):
            if started:
                ran.add(name)

        return hook

    def start(_module, _inputs, _output):
        started.append(True)

    try:
        hooks.append(modules[source].register_forward_hook(start))
        hooks.extend(modules[name].register_forward_hook(mark(name)) for name in replaced)
        batch = image.expand(len(channels), -1, -1, -1)
        leaf, out = _leaf_and_output(model, batch, source, target)
    finally:
        for hook in hooks:
            hook.remove()
    index = torch.arange(len(channels), device=out.device)
    wanted = torch.as_tensor(channels, device=out.device)
    centre = out[index, wanted, out.shape[2] // 2, out.shape[3] // 2]
    (grad,) = torch.autograd.grad(centre.sum(), leaf)
    return grad.detach(), ran


def _check_linear(model, device, source, target, channels, grads, size) -> None:
    """Refuse a map that changes with the input: the path is not linear once its
    activations are the identity (a gate multiplying activations, a normalization)."""
    if not channels:
        return
    generator = torch.Generator().manual_seed(1)
    noise = torch.randn(1, 3, size, size, generator=generator).to(device)
    other, _ = _rows(model, noise, source, target, channels, {})
    scale = float(grads.abs().max())
    if scale > 0 and float((other - grads).abs().max()) > LINEAR_TOLERANCE * scale:
        raise error(
            f"weights({source} -> {target}): the path between them is not linear even with its "
            "activations taken as the identity, so it has no expanded weights",
            hint="something on it multiplies activations together (a squeeze-excitation gate, "
            "attention) or normalizes by them; pick layers with only convolutions, batch norms, "
            "activations and additions between them",
        )


def _how(found: Window, replaced: dict[str, str], ran: set[str], target: str) -> str:
    kinds: dict[str, int] = {}
    for name in replaced:
        if name in ran:
            kinds[replaced[name]] = kinds.get(replaced[name], 0) + 1
    side = f"{found.bottom - found.top + 1}×{found.right - found.left + 1}"
    linear = (
        ", ".join(f"{kind} ×{n}" for kind, n in kinds.items()) + " taken as the identity"
        if kinds
        else "no activation between them"
    )
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
