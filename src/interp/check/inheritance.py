"""`extends`: each interface with its ancestors' statements merged in.

A child's statement replaces its parent's of the same kind and name (`model`,
`input`, `let x`, `element x`); a title is inherited unless the child has one.
Missing parents, cycles and twice-defined names become located diagnostics.
"""

from __future__ import annotations

from interp.check.problems import Problems
from interp.errors import Span, did_you_mean
from interp.syntax import ast


def resolve_extends(spec: ast.Spec, problems: Problems) -> list[ast.Interface]:
    """Each interface with its ancestors' statements merged in (a child's statement
    replaces its parent's of the same kind and name). Chains are followed in a loop,
    not by recursion, and each interface is merged once, so however long they are
    they cannot exhaust the stack or take quadratic time. The interfaces of a cycle
    (an error) keep their own statements."""
    by_name: dict[str, ast.Interface] = {}
    for interface in spec.interfaces:
        first = by_name.get(interface.name)
        if first is not None:
            problems.twice(
                f"interface {interface.name!r} is defined twice",
                interface.name_span or interface.span,
                first.span,
                "rename one of them",
            )
        by_name.setdefault(interface.name, interface)
    cycles: set[frozenset[str]] = set()
    done: dict[str, ast.Interface] = {}  # merged, by name

    def merged(interface: ast.Interface) -> ast.Interface:
        chain, seen = [interface], {interface.name: 0}
        base = None  # an ancestor merged before, if the chain reaches one
        while chain[-1].extends is not None:
            child, name = chain[-1], chain[-1].extends
            if name in seen:
                cycle = (*(c.name for c in chain[seen[name] :]), name)
                _cycle(child, cycle, child.extends_span or child.span, cycles, problems)
                # an interface in a cycle keeps its own statements only
                for member in chain[seen[name] :]:
                    remember(member, member.model_copy(update={"extends": None}))
                chain, entry = chain[: seen[name]], chain[seen[name]]
                base = entry.model_copy(update={"extends": None})
                break
            if name in done:
                base = done[name]
                break
            parent = by_name.get(name)
            if parent is None:
                problems.add(
                    f"interface {child.name!r} extends {name!r}, which is not defined",
                    child.extends_span or child.span,
                    did_you_mean(name, [n for n in by_name if n != child.name]),
                )
                break
            seen[name] = len(chain)
            chain.append(parent)
        if base is None:  # the last of the chain keeps its own statements only
            root = chain.pop()
            base = root.model_copy(update={"extends": None})
            remember(root, base)
        while chain:
            child = chain.pop()
            own = {s.key for s in child.body}
            inherit = child.title is None
            base = child.model_copy(
                update={
                    "body": tuple(s for s in base.body if s.key not in own) + child.body,
                    "title": base.title if inherit else child.title,
                    "title_span": base.title_span if inherit else child.title_span,
                    "extends": None,
                }
            )
            remember(child, base)
        return base

    def remember(interface: ast.Interface, result: ast.Interface) -> None:
        """Keep a merged interface for the chains that reach it later (not for a second
        definition of a name, which no `extends` can reach)."""
        if by_name.get(interface.name) is interface:
            done.setdefault(interface.name, result)

    return [merged(i) for i in spec.interfaces]


def _cycle(
    child: ast.Interface,
    cycle: tuple[str, ...],
    at: Span | None,
    cycles: set[frozenset[str]],
    problems: Problems,
) -> None:
    if frozenset(cycle) in cycles:
        return
    cycles.add(frozenset(cycle))
    if len(cycle) == 2:
        problems.add(
            f"interface {child.name!r} extends itself",
            at,
            "extend another interface, or remove `extends`",
        )
    else:
        problems.add(
            f"extends cycle: {' -> '.join(cycle)}",
            at,
            "an interface cannot extend itself, directly or through others",
        )
