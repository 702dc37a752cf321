"""The base of an attribution method: the pieces `core.attribute` asks of it.

A method says where gradients are taken (`points`, with quadrature weights),
what multiplies them per unit (`multiplier`), how reverse mode contracts and
forward mode builds tangents (`maps`), and a last touch on the result
(`finish`). Everything else — batching, modes, hooks — is shared.
Modules of methods import no torch: they only call tensor methods.

A class that a spec can name points at its declaration
(`interp.vocabulary.methods`), which gives its `name`, its `describe` and
whether it takes a `single_point`; the arguments come from there too, with
their defaults filled.
"""

from __future__ import annotations

from typing import Any, ClassVar

from interp.vocabulary.methods import MethodDeclaration

REGISTRY: dict[str, type[AttributionMethod]] = {}  # by declared name, filled by subclassing


class AttributionMethod:
    """Linear attribution's defaults: the gradient at the activation, times the activation."""

    declaration: ClassVar[MethodDeclaration]
    name: ClassVar[str]
    describe: ClassVar[str]  # what a page says the numbers are
    single_point: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = vars(cls).get("declaration")
        if declared is not None:
            cls.name, cls.describe = declared.name, declared.describe
            cls.single_point = declared.single_point
            known = REGISTRY.get(declared.name)
            if known is not None and known.__qualname__ != cls.__qualname__:
                raise ValueError(f"attribution method {declared.name!r} has two classes")
            REGISTRY[declared.name] = cls

    @classmethod
    def from_arguments(cls, **arguments: Any) -> AttributionMethod:
        return cls(**arguments)

    def points(self, activation):
        """Where gradients are taken `(m, C, *S)` and their weights `(m,)`."""
        return activation, activation.new_ones(1)

    def multiplier(self, activation):
        """Per-unit weights of the gradient `(C, *S)` (the activation, for gradient × activation)."""
        return activation[0]

    def maps(self, sources):
        """Reverse mode's contraction and forward mode's tangents for the source units."""
        return sources.contract, sources.tangents

    def finish(self, result, source_kind: str):
        return result

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(vars(self).items()))))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({arguments})"


def spatial_mean(units):
    """`(n, C, *S)` -> the mean over `S`, broadcast back over `S` (Grad-CAM's channel weights)."""
    dims = tuple(range(2, units.dim()))
    return units.mean(dims, keepdim=True).expand_as(units) if dims else units
