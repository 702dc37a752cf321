"""Every operation a spec can pipe a content through, by name, with its signature."""

from __future__ import annotations

from interp.vocabulary.signatures import Param, Signature

#: The most values `quantile(q, over=example)` keeps (examples x atoms, float32: 1 GiB): the
#: one aggregate that holds every example's value per atom.
QUANTILE_VALUES = 2**28

OPERATIONS: dict[str, Signature] = {
    "select": Signature("select", example="select(picker.hover) or select(channel=[12, 40])"),
    "top": Signature(
        "top",
        (
            Param("k", "int", required=True, positional=True),
            Param("per", "choice", ("source", "target")),
        ),
        "top(8) or top(3, per=source)",
    ),
    "reduce": Signature(
        "reduce",
        (
            Param("method", "choice", ("pca", "nmf"), True, True),
            Param("n", "int", required=True, positional=True),
        ),
        "reduce(pca, 3)",
    ),
    "softmax": Signature("softmax", example="softmax"),
    "sum": Signature(
        "sum",
        (Param("over", "names", required=True, positional=True),),
        "sum(over=channel) or sum(over=[x, y])",
    ),
    # aggregates over a dataset's examples (or any axis): the axes `over` go
    "mean": Signature(
        "mean",
        (Param("over", "names", required=True, positional=True),),
        "mean(over=example)",
    ),
    "count": Signature(
        "count",
        (Param("over", "names", required=True), Param("top", "int", required=True)),
        "count(over=example, top=5): how often each atom is among an example's 5 strongest",
    ),
    "quantile": Signature(
        "quantile",
        (
            Param("q", "fraction", required=True, positional=True),
            Param("over", "names", required=True),
        ),
        "quantile(0.9, over=example)",
    ),
}
