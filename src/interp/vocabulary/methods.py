"""Every attribution method a spec can name: `attribution(S -> T, method=NAME(...))`.

Each method is declared once: its name, the arguments it takes, what a page says
its numbers are, and where it takes the gradient. The checker binds a spec's
`method=` against `METHODS`, the planner counts gradient points with it, and
`interp.execute.attribution` keys one class per method by its declared name.
"""

from __future__ import annotations

from dataclasses import dataclass

from interp.vocabulary.signatures import Param, Signature


@dataclass(frozen=True)
class MethodDeclaration:
    """One attribution method.

    `describe` is what a page says the numbers are (``integrated gradients``);
    `points` names the argument that counts the points the gradient is taken
    at along a path (None: at the activation only, one point); `defaults`
    fills the arguments a spec leaves out.
    """

    name: str
    signature: Signature
    describe: str
    points: str | None = None
    defaults: tuple[tuple[str, object], ...] = ()

    @property
    def single_point(self) -> bool:
        """Whether the gradient is taken at the activation alone (one pass, reverse mode)."""
        return self.points is None

    def call(self, arguments: tuple[tuple[str, object], ...] = ()) -> MethodCall:
        """This method with `arguments` (a bound `Method`'s) and the defaults of the rest."""
        filled = {**dict(self.defaults), **dict(arguments)}
        return MethodCall(self, tuple(sorted(filled.items())))


@dataclass(frozen=True)
class MethodCall:
    """A declared method with all its arguments: ``integrated_gradients(steps=32)``."""

    declaration: MethodDeclaration
    arguments: tuple[tuple[str, object], ...] = ()

    @property
    def gradient_points(self) -> int:
        """How many points the gradient is taken at: 1, or the path's `steps`."""
        points = self.declaration.points
        return 1 if points is None else int(dict(self.arguments)[points])  # type: ignore[call-overload]


LINEAR = MethodDeclaration(
    "linear", Signature("linear", example="method=linear"), "activation × gradient"
)
INTEGRATED_GRADIENTS = MethodDeclaration(
    "integrated_gradients",
    Signature(
        "integrated_gradients", (Param("steps", "int"),), "method=integrated_gradients(steps=32)"
    ),
    "integrated gradients",
    points="steps",
    defaults=(("steps", 32),),
)
GRAD_CAM = MethodDeclaration(
    "grad_cam", Signature("grad_cam", example="method=grad_cam"), "Grad-CAM"
)

# `ablation(S -> T, to=...)` is bound as an attribution by this method: the change in
# the target when each atom alone is ablated (interp.execute.ablation), not a gradient.
ABLATION = MethodDeclaration(
    "ablation",
    Signature("ablation", example="method=ablation"),
    "ablation effect: original − ablated",
    defaults=(("to", "zero"),),
)

METHODS: dict[str, MethodDeclaration] = {
    m.name: m for m in (LINEAR, INTEGRATED_GRADIENTS, GRAD_CAM, ABLATION)
}
DEFAULT = LINEAR.name


def declare(declaration: MethodDeclaration) -> MethodDeclaration:
    """Add a method to the language (a module of one's own may): the checker, the planner
    and the page read it like the built-ins; its class in `interp.execute.attribution`
    names it as its `declaration`. Another method of the same name is refused."""
    known = METHODS.get(declaration.name)
    if known is not None and known != declaration:
        raise ValueError(f"attribution method {declaration.name!r} is declared twice")
    METHODS[declaration.name] = declaration
    return declaration


def method_of(name: str, arguments: tuple[tuple[str, object], ...] = ()) -> MethodCall:
    """The declared method `name` with a bound `Method`'s arguments, defaults filled."""
    return METHODS[name].call(arguments)
