"""Models the caller supplies by name: `interp.run(spec, models={"mine": handle})`.

A spec's `model mine` (or `layer("x", model=mine)`) binds to the handle the
caller registered as ``mine``: any `nn.Module` wrapped by
`interp.models.load.from_module`. :class:`Models` is the frozen registry the
checker and model loading accept; it imports no torch, so the static checker
stays light, and it knows nothing of the executor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interp.errors import did_you_mean, error
from interp.models.spec import ModelSpec
from interp.vocabulary.families import BUILTIN_MODELS, LIBRARY_FAMILIES

if TYPE_CHECKING:
    from interp.models.load import ModelHandle

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a name the grammar can write
_RESERVED = (*BUILTIN_MODELS, *LIBRARY_FAMILIES, "input", "output", "true", "false")
_FROM_MODULE = "interp.from_module(module, labels=..., mean=..., std=..., input_size=...)"


@dataclass(frozen=True)
class Models:
    """Supplied models by name, in the order given; empty by default."""

    supplied: tuple[tuple[str, ModelHandle], ...] = ()

    @classmethod
    def of(cls, models: Models | Mapping[str, Any] | None) -> Models:
        """The registry for `models` (a mapping of names to `from_module` handles)."""
        if models is None:
            return EMPTY
        if isinstance(models, Models):
            return models
        if not isinstance(models, Mapping):
            raise error(
                f"models= takes a mapping of names to models, not {type(models).__name__}",
                hint=f'models={{"mine": {_FROM_MODULE}}}',
            )
        from interp.models.load import ModelHandle  # only a caller with modules gets here

        for name, handle in models.items():
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise error(
                    f"supplied model name {name!r} cannot be written in a spec",
                    hint="use letters, digits and _, not starting with a digit: models={'mine': ...}",
                )
            if name in _RESERVED:
                raise error(
                    f"supplied model name {name!r} is taken by the language",
                    hint=f"choose another name; {', '.join(_RESERVED)} are reserved",
                )
            if not isinstance(handle, ModelHandle):
                raise error(
                    f"supplied model {name!r} is a {type(handle).__name__}, not a wrapped model",
                    hint=f"wrap an nn.Module with {_FROM_MODULE}",
                )
        return cls(tuple(models.items()))

    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.supplied)

    def __contains__(self, name: object) -> bool:
        return name in self.names()

    def __bool__(self) -> bool:
        return bool(self.supplied)

    def handle(self, name: str) -> ModelHandle:
        """The handle supplied as `name`; an unknown name is a user error."""
        for supplied, handle in self.supplied:
            if supplied == name:
                return handle
        raise unknown_model(name, self)

    def spec(self, name: str) -> ModelSpec:
        return ModelSpec(source="module", name=name)


EMPTY = Models()


def unknown_model(name: str, models: Models):
    """The error for a model name that is neither built in nor supplied."""
    supplied = models.names()
    known = f"built-in: {', '.join(BUILTIN_MODELS)}; supplied: {', '.join(supplied) or 'none'}"
    close = did_you_mean(name, (*BUILTIN_MODELS, *supplied))
    if close.startswith("did you mean"):
        hint = f"{close} ({known})"
    else:
        hint = (
            f'{known}; supply yours with interp.run(spec, models={{"{name}": interp.from_module(...)}})'
            ', or name an architecture: torchvision("NAME", weights="FILE") or timm("NAME", weights="FILE")'
        )
    return error(f"unknown model {name!r}", hint=hint)
