"""Writing files so that a crash, a kill or a concurrent writer never leaves a mix.

Every file is written to a temporary sibling with a name of its own
(``.NAME.PID-TOKEN.tmp``: two processes writing one target never share a
temporary) and moved into place with :func:`os.replace`, so a reader sees the
old file or the new one, never half of one. A set of files that belong
together (a page's HTML, JSON and PNG) is written as one: every temporary
first, then the old files are removed, then the new ones renamed into place;
a process killed half-way leaves some new files and some missing ones, never
new ones beside stale ones.

A temporary whose process is gone (killed before it could clean up) is
removed the next time anyone writes that target; one older than a day is
removed whatever its process id says (process ids are reused).

`check_writable` finds an output that cannot be written (a folder, a path
through a file, a read-only place, a device or FIFO, one of the run's own
inputs) before any work starts. Writing never replaces anything but a regular
file: a symbolic link to a regular file is written through (the link is kept),
a link to a device or anything else is refused, so `-o /dev/null` cannot
replace the system's device with a page.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import stat
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = [
    "check_not_input",
    "check_writable",
    "describe_size",
    "remove_stale_temporaries",
    "write_all",
    "write_atomic",
    "writable_target",
]

STALE_AFTER_S = 24 * 3600
_TEMPORARY = re.compile(r"\.(?P<pid>\d+)-[0-9a-f]+\.tmp")


def write_atomic(
    path: str | os.PathLike, data: bytes, *, mode: int | None = 0o644, fsync: bool = True
) -> None:
    """Replace `path`'s contents with `data` in one step (creating its folder)."""
    write_all({Path(path): data}, mode=mode, fsync=fsync)


def write_all(files: Mapping[Path, bytes], *, mode: int | None = 0o644, fsync: bool = True) -> None:
    """Write several files as one set: all or (after a kill) new-and-missing, never new-and-stale."""
    temporaries: dict[Path, Path] = {}
    try:
        for target, data in files.items():
            target = writable_target(target)
            target.parent.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(target)
            temporaries[target] = _write_temporary(target, data, mode=mode, fsync=fsync)
        if len(temporaries) > 1:
            for target in temporaries:
                target.unlink(missing_ok=True)
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
    except BaseException:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        raise


def _write_temporary(target: Path, data: bytes, *, mode: int | None, fsync: bool) -> Path:
    while True:
        temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:  # name the file the user asked for, not our temporary
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        break
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def remove_stale_temporaries(target: str | os.PathLike) -> int:
    """Remove the temporaries of `target` left by dead processes (or older than a day)."""
    target = Path(target)
    pattern = os.path.join(glob.escape(str(target.parent)), glob.escape(f".{target.name}.") + "*")
    removed = 0
    for name in glob.glob(pattern):
        match = _TEMPORARY.fullmatch(os.path.basename(name)[len(target.name) + 1 :])
        if match is None:
            continue
        try:
            old = time.time() - os.stat(name).st_mtime > STALE_AFTER_S
        except FileNotFoundError:
            continue
        if old or not _alive(int(match["pid"])):
            try:
                os.unlink(name)
                removed += 1
            except FileNotFoundError:
                pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def writable_target(path: str | os.PathLike) -> Path:
    """The file that writing `path` replaces: `path`, or the regular file a link names.

    An InterpError for anything else that exists there (a device, a FIFO, a
    socket, a folder, or a link to one): replacing it would destroy it."""
    from interp.errors import error

    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    except OSError:
        return target  # unreadable metadata: the write itself reports it
    if stat.S_ISREG(mode):
        return target
    kind = _kind(mode)
    through = f" (a link to {target})" if target != path else ""
    raise error(
        f"the output {path}{through} is {kind}, not a file: writing it would replace it",
        hint=f"name a new file or a regular one, e.g. {Path(path.name).stem or 'page'}.html",
    )


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_not_input(
    path: str | os.PathLike, inputs: Iterable[str | os.PathLike], what: str = "output"
) -> None:
    """An InterpError when `path` is (by real path) one of the files the run reads."""
    from interp.errors import error

    real = os.path.realpath(path)
    for source in inputs:
        if os.path.realpath(source) == real:
            named = "" if os.path.abspath(source) == os.path.abspath(path) else f" ({source})"
            raise error(
                f"the {what} {path} is one of this run's inputs{named}: writing it would "
                "destroy it",
                hint="name a new file for the output, e.g. with -o",
            )


def check_writable(
    path: str | os.PathLike, what: str = "output", *, inputs: Iterable[str | os.PathLike] = ()
) -> None:
    """An InterpError now, before any work starts, when `path` cannot be written as a file
    (or must not be: one of `inputs`, a device, a FIFO)."""
    from interp.errors import error

    path = Path(path)
    if path.is_dir():
        raise error(
            f"the {what} {path} is a folder",
            hint=f"name the file to write, e.g. {path / 'page.html'}",
        )
    check_not_input(path, inputs, what)
    path = writable_target(path)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise error(f"cannot write {path}: {folder} is a file, not a folder")
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise error(
            f"cannot write {path}: cannot create files in {folder} ({exc.strerror or exc})",
            hint="choose a folder you can write to",
        ) from None


def describe_size(size: int) -> str:
    """`0.9 MB`, `12.3 kB`, `512 bytes`: a file's size for a person."""
    if size >= 100_000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1000:
        return f"{size / 1e3:.1f} kB"
    return f"{size} bytes"
