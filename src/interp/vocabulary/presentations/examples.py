"""`as examples`: the examples a content over a dataset keeps, each a thumbnail."""

from __future__ import annotations

from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.presentations.base import Presentation
from interp.vocabulary.signatures import Param, Signature

SIZE = 88  # a thumbnail's side, in CSS pixels


class Examples(Presentation):
    name = "examples"
    signature = Signature("examples", (Param("size", "int"),), "examples or examples(size=96)")
    shows_examples = True

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if not any(a.name == "example" for a in free_atoms(axes)):
            return (
                f"examples shows a dataset's examples, and this content has no example axis ({names(free_atoms(axes))})",
                "compute it over a dataset: activations(L.spatial, over=pics) | top(8) as examples",
            )
        return None

    def fit_dataset(self, call, ops, ranked):
        if not ranked:
            return (
                "a dataset has too many examples to show them all",
                "keep the strongest: ... | top(8) as examples",
                "presentation",
            )
        return None

    def view_reads(self, element, scope):
        size = int(element.presentation.option("size", SIZE))  # type: ignore[arg-type]
        return (scope.example_images(element, size),)
