"""What a drawing knows of the page around it (`Context`), and what it returns (`Built`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import altair as alt

from interp.execute.views import ElementView, Selection

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
EVENTS = {"hover": "pointerover", "click": "click"}
ROW_WIDTH = 1100  # a page's width for its views, in pixels (narrower for compared pages)


@dataclass(frozen=True)
class Built:
    """A view (an Altair chart, or its dict once compiled) and its size in pixels."""

    chart: Any
    width: float
    height: float


@dataclass(frozen=True)
class Context:
    """What a presentation needs to know about the page around it.

    ``prefix`` keeps params and mark names of different pages apart when
    several pages share one spec; ``initial`` holds each selector element's
    first (strongest) atom, the value its params start with; ``labels`` each
    selector's atom labels by key; ``dependents`` the (element, event) pairs
    that follow each selector; ``palette`` one colour per atom label that
    several views colour by (groups on a ``heatmap(color=atom)`` and their icons);
    ``linker`` the view that links those atoms across views on hover.
    """

    prefix: str = ""
    initial: dict[str, str] = field(default_factory=dict)
    datasets: dict[str, list[dict]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    dependents: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    palette: dict[str, str] = field(default_factory=dict)
    #: the view whose pictures of palette atoms link them: hovering one there emphasizes that
    #: atom in every view coloured by atom (a group's icon → its region)
    linker: str = ""
    #: the atom ids (``atom_id``) this page shows that another page of a comparison shows too
    #: (`render.linking`): hovering one on either page outlines it on the other
    linked: frozenset[str] = frozenset()
    #: the width a row of the page's views may take (a view wider than this overflows)
    row_width: float = ROW_WIDTH

    @property
    def linked_param(self) -> str:
        """The page's param holding the atom id hovered on another page (`render.linking`)."""
        return f"{self.prefix}linked_atom"

    @property
    def atoms_param(self) -> str:
        """The page's hovered-atom param (by label), which `linker` defines."""
        return f"{self.prefix}atoms_hover"

    def name(self, view: ElementView, role: str = "") -> str:
        base = f"{self.prefix}{view.name}"
        return f"{base}__{role}" if role else base

    def param_name(self, selection: Selection) -> str:
        return self.prefix + selection.param

    def dataset(self, name: str, rows: list[dict]) -> alt.NamedData:
        """Rows stored once in the spec's top-level ``datasets``, referenced by name.

        Kept out of Altair's objects, which deep-copy inline data on every step.
        """
        self.datasets[name] = rows
        return alt.NamedData(name=name)
