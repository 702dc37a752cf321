"""Tables a module extends by subclassing: a subclass with a `name` is kept by that name.

A presentation is three classes in three stages (its declaration, its table, its
drawing), each found by the presentation's name; a module of its own (a user's
plugin) joins all three tables by defining them, touching no other file.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Named:
    """Base of a table's entries: each subclass that sets `name` puts one instance of
    itself in the base's `registry`; another class under the same name is refused."""

    name: ClassVar[str]
    registry: ClassVar[dict[str, Any]]
    kind: ClassVar[str]  # what the entries are, for the error: "presentation", "table"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return
        known = cls.registry.get(cls.name)
        if known is not None and type(known).__qualname__ != cls.__qualname__:
            raise ValueError(
                f"{cls.kind} {cls.name!r} is declared twice: by {type(known).__qualname__} "
                f"and by {cls.__qualname__}"
            )
        cls.registry[cls.name] = cls()
