"""The linear map between two layers with the non-linearities between them taken as identity.

The machinery of expanded weights (Olah et al., "Visualizing Weights", Distill
2020), below the stages that use it: the executor computes `weights(A -> B)`
with it (`interp.execute.weights`), and the checker asks it, on a probe,
whether the path is linear at all once its activations are the identity, so
`interp check` refuses what a run would.

- `linearized`: a frozen copy of the model, activations → identity, max pools →
  average pools (batch norms in eval mode are affine and stay);
- `window_at`: where B's centre unit sees A (one VJP of a random mix of B's channels);
- `rows`: `d B[c, centre] / d A` for a batch of B's channels: one backward pass;
- `check_linear` / `path_problem`: the map must not move with the input.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass

import torch
from torch import nn

from interp.errors import InterpError, error
from interp.models.hooks import capture, run_until

ACTIVATIONS = (
    nn.ReLU,
    nn.ReLU6,
    nn.SiLU,
    nn.GELU,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.Sigmoid,
    nn.Tanh,
    nn.LeakyReLU,
    nn.ELU,
    nn.Mish,
    nn.Softplus,
)
MAX_SIDE = 25  # the largest kernel kept, in A's positions
LINEAR_TOLERANCE = 1e-4  # relative change of the map between two inputs that counts as non-linear
PROBES = 2  # target channels the checker probes


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


def window_at(model: nn.Module, device, source: str, target: str, size: int) -> Window:
    """B's field in A at input side `size`: one VJP of a random mix of B's channels."""
    image = torch.zeros(1, 3, size, size, device=device)
    leaf, out = leaf_and_output(model, image, source, target)
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
    # the field reaches a border of A's grid (a grid of one position has none to reach)
    touches = (height > 1 and (top == 0 or bottom == height - 1)) or (
        width > 1 and (left == 0 or right == width - 1)
    )
    top, bottom, cut_rows = bounded(top, bottom)
    left, right, cut_columns = bounded(left, right)
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


def bounded(low: int, high: int) -> tuple[int, int, bool]:
    """`low..high` cut to at most MAX_SIDE around its middle."""
    if high - low + 1 <= MAX_SIDE:
        return low, high, False
    middle = (low + high) // 2
    low = middle - MAX_SIDE // 2
    return low, low + MAX_SIDE - 1, True


def leaf_and_output(model, image, source: str, target: str):
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


def rows(model, image, source: str, target: str, channels: list[int], replaced: dict[str, str]):
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
        leaf, out = leaf_and_output(model, batch, source, target)
    finally:
        for hook in hooks:
            hook.remove()
    index = torch.arange(len(channels), device=out.device)
    wanted = torch.as_tensor(channels, device=out.device)
    centre = out[index, wanted, out.shape[2] // 2, out.shape[3] // 2]
    (grad,) = torch.autograd.grad(centre.sum(), leaf)
    return grad.detach(), ran


def check_linear(model, device, source, target, channels, grads, size) -> None:
    """Refuse a map that changes with the input: the path is not linear once its
    activations are the identity (a gate multiplying activations, a normalization)."""
    if not channels:
        return
    generator = torch.Generator().manual_seed(1)
    noise = torch.randn(1, 3, size, size, generator=generator).to(device)
    other, _ = rows(model, noise, source, target, channels, {})
    scale = float(grads.abs().max())
    if scale > 0 and float((other - grads).abs().max()) > LINEAR_TOLERANCE * scale:
        raise error(
            f"weights({source} -> {target}): the path between them is not linear even with its "
            "activations taken as the identity, so it has no expanded weights",
            hint="something on it multiplies activations together (a squeeze-excitation gate, "
            "attention), normalizes by them, or is an activation interp does not know (it takes "
            f"{', '.join(a.__name__ for a in ACTIVATIONS[:5])}, ... as the identity); pick layers "
            "with only convolutions, batch norms, activations and additions between them",
        )


def path_problem(handle, source: str, target: str) -> tuple[str, str] | None:
    """Why `weights(source -> target)` has no expanded weights on `handle`'s model, as
    (message, hint); None when the path is linear once its activations are the identity."""
    return _probed(handle, source, target)


@functools.lru_cache(maxsize=32)
def _probed(handle, source: str, target: str) -> tuple[str, str] | None:
    model, _ = linearized(handle.module)
    size = handle.input_size
    try:
        found = window_at(model, handle.device, source, target, size)
        image = torch.zeros(1, 3, size, size, device=handle.device)
        channels = list(range(min(PROBES, found.channels)))
        grads, _ = rows(model, image, source, target, channels, {})
        check_linear(model, handle.device, source, target, channels, grads, size)
    except InterpError as exc:
        first = exc.diagnostics[0]
        return first.message, first.hint or ""
    return None
