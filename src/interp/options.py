"""How a run is carried out (device, quality, cache, progress, budget): not what it computes.

`Options` checks its values when it is made, so a mistake is caught before
any work starts and names the argument and what it accepts: a wrong type is
an :class:`OptionTypeError` (a ``TypeError``), a wrong value an
:class:`OptionValueError` (a ``ValueError``). Both are also
:class:`~interp.errors.InterpError`, so the CLI prints them as ``error: ...``
with a hint rather than a traceback. A device that this machine lacks (``cuda``
without CUDA) is refused with the list of the devices it has.

Results are cached on disk by content unless ``cache=None``, as on the command
line (``--no-cache``): ``Cache()`` reads ``$INTERP_CACHE_DIR`` (default
``~/.cache/interp``) when the `Options` is made.

A quality names an icon preset (`ICON_PRESETS`: side, optimizer steps and rate),
which the planner sizes icons by and feature visualization optimizes with.

`resolve_options` turns the keywords of `interp.run` into an `Options`, refusing
what it cannot use. This module sits at the base of the stages (it imports only
`errors` and `cache`), so every stage may read a run's options; torch loads only
when a device is asked about, so the CLI can check its flags before it loads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from numbers import Real

from interp.cache import Cache
from interp.errors import Diagnostic, InterpError, did_you_mean, error

Pyramid = tuple[tuple[float, float], ...]
MIN_COARSE_SIDE = 48  # a coarse stage is never smaller (see `pyramid_stages`)
SIDE_STEP = 8  # coarse sides are multiples of this


@dataclass(frozen=True)
class IconPreset:
    """What a quality sets for feature visualization: the icons' side in pixels, the
    optimizer's steps and its learning rate, and its coarse-to-fine `pyramid`
    (`pyramid_stages`; `execute.feature_vis` adds the rest)."""

    size: int
    steps: int
    lr: float
    pyramid: Pyramid = ()


ICON_PRESETS: dict[str, IconPreset] = {
    "draft": IconPreset(size=64, steps=48, lr=0.1),
    # Half the steps at 3/4 of the side: 0.78 of the work, and on 33 channels of three
    # layers of EfficientNet-Lite0 the objective within 1.5% and the detail within 3% of
    # all 64 steps at full size (tests/execute/test_feature_vis_quality.py).
    "standard": IconPreset(size=128, steps=64, lr=0.1, pyramid=((0.75, 0.5),)),
    "high": IconPreset(size=192, steps=256, lr=0.05),
}
QUALITIES = tuple(ICON_PRESETS)


def icon_preset(
    quality: str = "standard", *, size: int | None = None, steps: int | None = None
) -> IconPreset:
    """The preset for `quality`, with `size` / `steps` overridden when given."""
    if quality not in ICON_PRESETS:
        raise error(
            f"unknown feature visualization quality {quality!r}",
            hint=did_you_mean(quality, ICON_PRESETS),
        )
    preset = ICON_PRESETS[quality]
    return replace(preset, size=size or preset.size, steps=steps or preset.steps)


def pyramid_stages(size: int, steps: int, pyramid: Pyramid) -> list[tuple[int, int]]:
    """``(side, steps)`` per stage of a coarse-to-fine optimization, smallest first; the
    last is at the full `size`. `pyramid` lists the stages before it, each a (fraction of
    the side, share of the steps).

    A stage smaller than `MIN_COARSE_SIDE` is skipped: on a small icon the coarse image
    cannot hold the layer's pattern (measured on EfficientNet-Lite0: at 48 px the detail
    drifted 7% from a full-size run; from 64 px up it stays within 3%)."""
    stages, left = [], steps
    for fraction, share in pyramid:
        side = round(size * fraction / SIDE_STEP) * SIDE_STEP
        coarse = min(round(steps * share), left - 1)
        if side >= MIN_COARSE_SIDE and coarse > 0 and side < size:
            stages.append((side, coarse))
            left -= coarse
    return [*stages, (size, left)]


class OptionTypeError(InterpError, TypeError):
    """An argument of the wrong type (`icon_size="big"`)."""


class OptionValueError(InterpError, ValueError):
    """An argument of the right type and a wrong value (`quality="best"`, `device="cuda"` without CUDA)."""


def _type_error(message: str, hint: str | None = None) -> OptionTypeError:
    return OptionTypeError(Diagnostic(message, hint=hint))


def _value_error(message: str, hint: str | None = None) -> OptionValueError:
    return OptionValueError(Diagnostic(message, hint=hint))


EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class Options:
    device: str | None = None  # None: cuda when available, else cpu
    quality: str = "standard"
    cache: Cache | None = field(default_factory=Cache)  # on, as in the CLI; None: off
    progress: bool | None = None
    icon_size: int | None = None  # overrides the quality preset (tests use tiny icons)
    icon_steps: int | None = None
    budget: float | None = None  # seconds; a plan estimated above it is refused before it runs
    executor: str = "local"  # "local" (in process) or "ray"
    ray_address: str | None = None  # join this Ray cluster (default: $RAY_ADDRESS, else start one)
    metrics: bool | None = None  # None: for the interfaces a `compare` names; True: every one

    def __post_init__(self) -> None:
        if self.device is not None:
            object.__setattr__(self, "device", check_device(self.device))
        if not isinstance(self.quality, str):
            raise _type_error(
                f"quality must be a string, not {_kind(self.quality)}",
                hint=f"one of {', '.join(map(repr, QUALITIES))}",
            )
        if self.quality not in QUALITIES:
            raise _value_error(
                f"unknown quality {self.quality!r}",
                hint=f"quality is one of {', '.join(map(repr, QUALITIES))}",
            )
        if self.cache is not None and not isinstance(self.cache, Cache):
            raise _type_error(
                f"cache must be an interp Cache or None, not {_kind(self.cache)}",
                hint="Cache() uses $INTERP_CACHE_DIR or ~/.cache/interp; Cache('some/folder') "
                "puts it elsewhere; None computes everything afresh",
            )
        if self.metrics is not None and not isinstance(self.metrics, bool):
            raise _type_error(
                f"metrics must be True, False or None, not {_kind(self.metrics)}",
                hint="None measures the interfaces a `compare` names; True every interface",
            )
        if self.progress is not None and not isinstance(self.progress, bool):
            raise _type_error(
                f"progress must be True, False or None, not {_kind(self.progress)}",
                hint="None shows progress bars only on a terminal",
            )
        for name in ("icon_size", "icon_steps"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise _type_error(
                    f"{name} must be a positive integer or None, not {_kind(value)}",
                    hint="None uses the quality's preset",
                )
            if value < 1:
                raise _value_error(
                    f"{name} must be a positive integer, not {value}",
                    hint="None uses the quality's preset",
                )
        if self.budget is not None:
            object.__setattr__(self, "budget", check_budget(self.budget, "budget"))
        if self.executor not in EXECUTORS:
            raise _value_error(
                f"unknown executor {self.executor!r}",
                hint=f"executor is one of {', '.join(map(repr, EXECUTORS))}",
            )
        if self.ray_address is not None and not isinstance(self.ray_address, str):
            raise _type_error(
                f"ray_address must be a string such as 'ray://host:10001', not {_kind(self.ray_address)}",
                hint="None starts a local cluster (or joins $RAY_ADDRESS)",
            )
        if self.ray_address is not None:  # a malformed address is refused before any work
            parse_ray_address(self.ray_address)

    @property
    def torch_device(self) -> str:
        return self.device or default_device()


def default_device() -> str:
    """`cuda` when this machine has it, else `cpu`."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def available_devices() -> list[str]:
    """The devices this machine can run on, as `--device` spells them."""
    import torch

    found = ["cpu"]
    if torch.cuda.is_available():
        count = torch.cuda.device_count()
        found += ["cuda", *(f"cuda:{i}" for i in range(count))]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append("mps")
    return found


def check_device(device: object) -> str:
    """`device` (a string or a torch.device) as a string when this machine has it;
    else an OptionValueError listing the devices it has."""
    import torch

    if isinstance(device, torch.device):
        device = str(device)
    if not isinstance(device, str):
        raise _type_error(
            f"device must be a string such as 'cpu' or 'cuda', not {_kind(device)}",
            hint=f"devices here: {', '.join(available_devices())}",
        )
    available = available_devices()
    listing = f"devices here: {', '.join(available)}"
    try:
        parsed = torch.device(device)
    except (RuntimeError, ValueError):
        raise _value_error(f"unknown device {device!r}", hint=listing) from None
    if parsed.type == "cpu" or str(parsed) in available:
        return device
    if parsed.type == "cuda" and torch.cuda.is_available():
        why = f"this machine has {torch.cuda.device_count()} CUDA device(s)"
    elif parsed.type == "cuda":
        why = (
            "no CUDA device found"
            if torch.version.cuda
            else f"this torch ({torch.__version__}) was built without CUDA"
        )
    else:
        why = None
    message = f"device {device!r} is not available on this machine"
    raise _value_error(message + (f" ({why})" if why else ""), hint=listing)


def check_budget(value: object, name: str = "budget") -> float:
    """A budget in seconds: a positive number (``inf`` for none); NaN, zero and negatives refused."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise _type_error(
            f"{name} must be a number of seconds, not {_kind(value)}",
            hint="a positive number; None (or inf) sets no budget",
        )
    seconds = float(value)
    if math.isnan(seconds) or seconds <= 0:
        raise _value_error(
            f"{name} must be a positive number of seconds, not {value}",
            hint="a positive number; None (or inf) sets no budget",
        )
    return seconds


@dataclass(frozen=True)
class RayAddress:
    """A Ray cluster's address, parsed: `scheme` is "ray" for Ray Client, "" for a head."""

    text: str
    scheme: str
    host: str
    port: int


def parse_ray_address(address: str, origin: str = "") -> RayAddress | None:
    """`address` parsed, or None for `auto` / `local` (Ray finds or starts the cluster);
    a malformed one is an OptionValueError (`origin`: where it was given, e.g. $RAY_ADDRESS)."""
    text = address.strip()
    if text in ("auto", "local"):
        return None
    scheme, _, rest = text.rpartition("://")
    host, colon, port = rest.rpartition(":")
    if scheme not in ("", "ray"):
        why = f"unknown scheme {scheme + '://'!r}"
    elif not colon or not host.strip("[]") or "/" in rest:
        why = "it is not HOST:PORT"
    elif not port.isdigit() or not 0 < int(port) < 65536:
        why = f"{port!r} is not a port (1 to 65535)"
    else:
        return RayAddress(text, scheme, host.strip("[]"), int(port))  # [::1]:6379 -> ::1
    raise _value_error(
        f"{ray_address_named(address, origin)} is not a Ray cluster address: {why}",
        hint="give the head's HOST:PORT (`ray start --head` prints it; port 6379 by default), "
        "ray://HOST:10001 for Ray Client, or `auto` to find a cluster started on this machine",
    )


def ray_address_named(address: str, origin: str = "") -> str:
    return f"the Ray address {address!r}" + (f" (from {origin})" if origin else "")


_OPTION_NAMES = tuple(f.name for f in fields(Options))


def resolve_options(options: Options | None = None, **keywords: object) -> Options:
    """The `Options` of a run: `options`, or one made from `keywords`, never both.

    Keywords beside an `Options` would silently lose to it (or silently win),
    so they are refused; `dataclasses.replace(options, quality=...)` says which.
    """
    unknown = [name for name in keywords if name not in _OPTION_NAMES]
    if unknown:
        raise _type_error(
            f"unknown option{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
            hint=did_you_mean(unknown[0], _OPTION_NAMES)
            if len(unknown) == 1
            else f"options are {', '.join(_OPTION_NAMES)}",
        )
    if options is None:
        return Options(**keywords)  # type: ignore[arg-type]
    if not isinstance(options, Options):
        raise _type_error(
            f"options must be an interp.Options or None, not {_kind(options)}",
            hint="interp.run(spec, quality='draft') or interp.run(spec, Options(quality='draft'))",
        )
    if keywords:
        given = ", ".join(f"{name}=" for name in keywords)
        raise _type_error(
            f"got both an Options and the keywords {given}",
            hint=f"pass one of them: dataclasses.replace(options, {given.replace('=', '=...')})",
        )
    return options


def _kind(value: object) -> str:
    return "None" if value is None else f"{type(value).__name__} {value!r}"[:80]
