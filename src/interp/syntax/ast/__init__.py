"""The AST: frozen pydantic nodes that know how to print themselves.

One representation for parsed text and for the Python builder. Every node
carries a source `span` (None when built in Python), and every name, label and
title written in the source its own `*_span`, so a diagnostic can point at
the one word it is about; statements carry leading `comments`. None of these
takes part in equality or hashing, so a spec and its canonical text, or a
spec and its builder twin, compare equal.

Values form a small expression language (names, calls, members, strings,
numbers); contents, operations and presentations are typed wrappers around
it. The checker gives values their meaning.

This package is the one name to import (`from interp.syntax import ast`;
`ast.Interface`); its modules hold the node base (`node`), `values`,
`contents` (with operations and presentations), `statements` and the top
level (`spec`).
"""

from interp.syntax.ast.contents import (
    Ablation,
    Activations,
    Attribution,
    Content,
    Correlation,
    Operation,
    Presentation,
    SubstrateContent,
    Weights,
)
from interp.syntax.ast.node import LINE_WIDTH, Node, printable, quote
from interp.syntax.ast.spec import Compare, Interface, Spec
from interp.syntax.ast.statements import (
    AnyStatement,
    ElementStmt,
    InputStmt,
    Layout,
    LayoutStmt,
    LetStmt,
    ModelStmt,
    Statement,
)
from interp.syntax.ast.values import (
    Arg,
    Arrow,
    Bool,
    Call,
    InputRef,
    LayerRef,
    ListValue,
    Member,
    Name,
    Num,
    OutputRef,
    Picked,
    Str,
    Value,
)

__all__ = [
    "Ablation",
    "LINE_WIDTH",
    "Activations",
    "AnyStatement",
    "Arg",
    "Arrow",
    "Attribution",
    "Bool",
    "Call",
    "Compare",
    "Content",
    "Correlation",
    "Weights",
    "ElementStmt",
    "InputRef",
    "InputStmt",
    "Interface",
    "LayerRef",
    "Layout",
    "LayoutStmt",
    "LetStmt",
    "ListValue",
    "Member",
    "Picked",
    "ModelStmt",
    "Name",
    "Node",
    "Num",
    "Operation",
    "OutputRef",
    "Presentation",
    "Spec",
    "Statement",
    "Str",
    "SubstrateContent",
    "Value",
    "printable",
    "quote",
]
