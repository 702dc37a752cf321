"""What a presentation's drawing is: its view's rows → an Altair chart, keyed by its name.

One class per module in `render/`, found by the name the presentation declares
(`interp.vocabulary.presentations`); what it accepts and needs is declared
there, and its rows are made in `interp.execute.tables`. A drawing only draws:

- `chart`: the Vega-Lite chart of the view (with the page's shared `Context`);
- `rows`: the view's rows as selections see them (its first row is the initial selection);
- `colored_labels`: the atom labels it tells apart by colour (the page gives each one colour);
- `keyed_rows`: whether its table carries the element's own key column.

Subclassing `Drawing` with a `name` registers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import pandas as pd

from interp.execute.views import ElementView
from interp.named import Named
from interp.render import frames

if TYPE_CHECKING:
    from interp.render.context import Built, Context

REGISTRY: dict[str, Drawing] = {}


class Drawing(Named):
    registry = REGISTRY
    kind = "drawing of presentation"
    #: whether the table itself carries the element's own key column when others select on it
    keyed_rows: ClassVar[bool] = True
    #: whether its colour domain is a typical selection's (`style.value_domain(robust=True)`)
    robust_domain: ClassVar[bool] = False
    #: whether hovering one of its atoms may emphasize that atom elsewhere (`Context.linker`)
    links_atoms: ClassVar[bool] = False

    def rows(self, view: ElementView) -> pd.DataFrame:
        """The view's rows as selections see them (its first row is the initial selection)."""
        return frames.tidy(view)

    def colored_labels(self, view: ElementView) -> set[str]:
        """Atom labels this view tells apart by colour (the page gives each one colour)."""
        return set()

    def chart(self, view: ElementView, ctx: Context) -> Built:
        raise NotImplementedError
