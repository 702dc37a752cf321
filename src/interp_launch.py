"""The `interp` command's first code: Ctrl-C is quiet from the first instruction.

The console script imports this module, not `interp.cli`: importing anything
inside `interp` first runs `interp/__init__.py`, which imports the parser and
the checker (a third of a second), and a Ctrl-C then would print Python's
`KeyboardInterrupt` traceback. This module imports nothing but `sys`, so the
handling below is in place before any of interp loads: an interrupt at any
moment (imports, work, exit) prints "interrupted" and exits 130.
"""

import sys

_SIGNALLED: list[int] = []  # set once a Ctrl-C arrived: whatever fails after it, it caused


def main() -> int:
    import signal

    def deferred(signum, frame):  # while interp imports: noted, acted on once it is loaded
        _SIGNALLED.append(signum)

    def on_sigint(signum, frame):
        _SIGNALLED.append(signum)
        raise KeyboardInterrupt

    # A Ctrl-C inside an extension's import (pydantic-core is Rust) makes it panic and print
    # its own message; so the first imports are never interrupted, only stopped after.
    signal.signal(signal.SIGINT, deferred)
    said = False
    try:
        from interp.cli import main as run

        signal.signal(signal.SIGINT, on_sigint)
        if _SIGNALLED:
            raise KeyboardInterrupt
        code = run()
        said = code == 130  # interp.cli said "interrupted" itself
        return code
    except BaseException as exc:
        if not interrupted(exc):
            raise
        sys.stderr.write("interrupted\n")
        said = True
        return 130
    finally:
        _quiet_exit(said)


def interrupted(exc: BaseException | None) -> bool:
    """Whether `exc` is a Ctrl-C, or was caused by one: Python 3.11 wraps a
    KeyboardInterrupt raised inside a class body's `__set_name__` (numpy's, while
    it is imported) in a RuntimeError, and a Rust extension interrupted while it
    imports (pydantic-core) panics without saying why, so any failure after a
    Ctrl-C arrived counts as one."""
    if _SIGNALLED:
        return True
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _quiet_exit(said: bool) -> None:
    """While the interpreter shuts down (threads joined, atexit), Ctrl-C exits at once, quietly."""
    import os
    import signal

    def exit_now(signum, frame):
        if not said:
            os.write(2, b"interrupted\n")
        os._exit(130)

    signal.signal(signal.SIGINT, exit_now)


if __name__ == "__main__":
    sys.exit(main())
