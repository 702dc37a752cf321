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

`resolve_options` and `resolve_spec` turn the arguments of `interp.run` into an
`Options` and an AST, refusing what they cannot use. Torch loads only when a
device is asked about, so the CLI can check its flags before it loads.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from numbers import Real
from pathlib import Path

from interp.errors import Diagnostic, InterpError, did_you_mean
from interp.execute.cache import Cache
from interp.syntax import ast, load, parse

QUALITIES = ("draft", "standard", "high")


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


def resolve_spec(spec: object) -> ast.Spec:
    """The AST of `spec`: an AST (a Spec, or one Interface) as is, a path (`Path` or a one-line `str`) read, other text parsed."""
    if isinstance(spec, ast.Spec):
        return spec
    if isinstance(spec, ast.Interface):  # what `builder.interface(...)` makes
        return ast.Spec(items=(spec,))
    if isinstance(spec, os.PathLike):
        return load(Path(spec))
    if isinstance(spec, str):
        if "\n" not in spec and (spec.endswith(".interp") or _is_file(spec)):
            return load(spec)
        return parse(spec)
    raise _type_error(
        f"spec must be an interp AST (interp.ast.Spec), .interp text or a path, not {_kind(spec)}",
        hint="interp.run('specs/teaser.interp'), interp.run(interp.load(path)) or interp.run(text)",
    )


def _is_file(text: str) -> bool:
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL byte
        return False


def _kind(value: object) -> str:
    return "None" if value is None else f"{type(value).__name__} {value!r}"[:80]
