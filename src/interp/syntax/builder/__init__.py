"""The Python builder: the grammar as a fluent API that makes the parser's AST.

There is one representation: `interface(...)` returns the same
:class:`~interp.syntax.ast.Interface` that parsing the equivalent text gives, so a
notebook and a `.interp` file are interchangeable (`to_text` prints either).

    mid = layer("blocks.4.2.bn1")
    teaser = interface(
        "teaser", "Egyptian cat or tabby?",
        model="efficientnet_lite0",
        input=sample("chelsea"),
        let={"mid": mid, "cats": output["Egyptian cat", "tabby"]},
        elements={
            "detectors": attribution(ref("mid").channels, ref("cats"))
            .top(6, per="target")
            .as_(feature_vis(bars=True)),
            "where": activations(ref("mid").spatial)
            .select(ref("detectors").hover)
            .as_(heatmap(over=input)),
        },
        layout=row("detectors", "where"),
    )

How Python values become literals, and where an identifier string becomes a
bare keyword (`per="target"`), is in `interp.syntax.builder.literals`. The
rest of the package is the grammar, one part per module: `expressions`
(substrates, calls, members), `elements` (contents, operations,
presentations) and `interfaces` (layouts, interfaces, files).
"""

from interp.syntax.builder.elements import (
    Element,
    Pipeline,
    ablation,
    activations,
    atlas,
    attribution,
    bars,
    correlation,
    count,
    examples,
    feature_vis,
    grid,
    heatmap,
    image,
    mean,
    operation,
    presentation,
    quantile,
    reduce,
    sankey,
    select,
    softmax,
    sum_,
    top,
    weights,
)
from interp.syntax.builder.expressions import (
    Edited,
    Expr,
    ablate,
    call,
    clamp,
    dataset,
    input,
    layer,
    model,
    output,
    ref,
    sample,
    samples,
    steer,
    with_,
)
from interp.syntax.builder.interfaces import column, compare, interface, row, spec
from interp.syntax.builder.literals import ANY as ANY
from interp.syntax.builder.literals import KEYWORD_PARAMETERS, value
from interp.syntax.builder.literals import KEYWORD_POSITIONALS as KEYWORD_POSITIONALS
from interp.syntax.builder.literals import NONE as NONE
from interp.syntax.builder.literals import RESERVED as RESERVED
from interp.syntax.builder.literals import args as args

__all__ = [
    "KEYWORD_PARAMETERS",
    "Edited",
    "Element",
    "ablate",
    "ablation",
    "clamp",
    "steer",
    "with_",
    "Expr",
    "Pipeline",
    "activations",
    "atlas",
    "attribution",
    "bars",
    "call",
    "column",
    "compare",
    "correlation",
    "dataset",
    "examples",
    "feature_vis",
    "grid",
    "heatmap",
    "image",
    "input",
    "interface",
    "layer",
    "mean",
    "count",
    "quantile",
    "model",
    "operation",
    "output",
    "presentation",
    "reduce",
    "ref",
    "row",
    "sample",
    "samples",
    "sankey",
    "select",
    "softmax",
    "spec",
    "sum_",
    "top",
    "weights",
    "value",
]
