"""Progress bars that fit where they run: a terminal's bar, a notebook's, quiet in a pipe.

tqdm's `auto` bar needs ipywidgets in a notebook and, without it, prints a red
"IProgress not found" block instead of a bar; a notebook without ipywidgets
gets the terminal bar's plain lines instead. `progress=None` means shown on a
terminal and in a notebook, quiet when stderr is a pipe or a file.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec
from typing import Any

from tqdm import tqdm as terminal_bar


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (IPython already imported by it, never by us)."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def shown(progress: bool | None) -> bool:
    """`progress`, or by default: on a terminal or in a notebook, not in a pipe."""
    if progress is not None:
        return progress
    return sys.stderr.isatty() or in_notebook()


def progress_bar(progress: bool | None, **kwargs: Any) -> terminal_bar:
    """A tqdm bar (`kwargs` as tqdm's), the notebook's widget where ipywidgets can draw it."""
    kind = terminal_bar
    if in_notebook() and find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm as kind  # type: ignore[no-redef]
    return kind(disable=not shown(progress), **kwargs)
