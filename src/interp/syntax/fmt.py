"""`interp fmt`: rewrite specs in canonical text, or check that they already are.

Canonical text is `to_text(parse(text))`: the formatter owns layout (indents,
blank lines, one operation per line for interactive pipelines) and keeps every
comment. Files are rewritten atomically (a temporary file in the same folder,
then `os.replace`), so an interrupted run never leaves half a spec.
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from interp.errors import Diagnostic, InterpError
from interp.syntax import parse


def format_text(text: str, file: str = "<spec>") -> str:
    """The canonical form of a spec's text; raises InterpError on a syntax error."""
    return parse(text, file).to_text()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        message = f"no such file: {path}"
    except (IsADirectoryError, UnicodeDecodeError, PermissionError) as exc:
        message = f"cannot read {path}: {exc}"
    raise InterpError(Diagnostic(message, hint="check the path; specs end in .interp"))


def diff(original: str, formatted: str, path: str | Path) -> str:
    """A unified diff from the file as written to its canonical form."""
    return "".join(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            formatted.splitlines(keepends=True),
            fromfile=str(path),
            tofile=f"{path} (formatted)",
        )
    )


def check_formatted(path: str | Path) -> tuple[bool, str]:
    """(whether the file is canonical, the unified diff that would make it so)."""
    path = Path(path)
    original = _read(path)
    formatted = format_text(original, str(path))
    return original == formatted, diff(original, formatted, path)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path`'s contents in one step, keeping its permissions."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _spec_files(paths: Iterable[str]) -> list[Path]:
    """The given files, and the `.interp` files under any given folder."""
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        files.extend(sorted(path.rglob("*.interp")) if path.is_dir() else [path])
    return files


def fmt_main(paths: list[str], check: bool = False) -> int:
    """`interp fmt [--check] FILE...`: 0 when all is well; 1 when a file has a syntax
    error or (with `check`) is not canonical. Diffs go to stdout, diagnostics and
    progress to stderr; never a traceback for a user's mistake."""
    status = 0
    for path in _spec_files(paths):
        try:
            original = _read(path)
            formatted = format_text(original, str(path))
        except InterpError as exc:
            print(exc.render(), file=sys.stderr)
            status = 1
            continue
        if original == formatted:
            continue
        if check:
            sys.stdout.write(diff(original, formatted, path))
            print(f"would reformat {path}", file=sys.stderr)
            status = 1
        else:
            try:
                write_atomically(path, formatted)
            except OSError as exc:
                print(f"{path}: error: cannot write: {exc}", file=sys.stderr)
                status = 1
                continue
            print(f"reformatted {path}", file=sys.stderr)
    return status
