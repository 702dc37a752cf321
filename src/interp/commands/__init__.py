"""The `interp` subcommands: `interp.cli` parses the arguments, a module here runs each command.

Every command is a function of the parsed arguments returning the exit
status. Importing a command module is cheap: each imports what it runs (the
checker, the models, torch) inside its function, so `interp check` or
`interp --version` never loads torch. What every command shares lives here:
how a failure is printed for a person, and how a spec file is read.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from interp.errors import describe_exception


def report(exc: BaseException) -> None:
    """Print `exc` for a person: a diagnostic, with the traceback only under INTERP_DEBUG=1."""
    if os.environ.get("INTERP_DEBUG", "") not in ("", "0"):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    print(describe_exception(exc), file=sys.stderr)


def read_spec(path: str):
    from interp.syntax import load

    return load(path), Path(path).read_text(encoding="utf-8")
