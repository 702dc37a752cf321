"""Ctrl-C is quiet from the first instruction (issue 25): at any moment of `interp ...`,
including while its imports run, it exits 130 printing only "interrupted"."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INTERP = str(Path(sys.executable).with_name("interp"))


def _startup_s() -> float:
    """How long this machine's interpreter takes to reach the console script's first line:
    before that, no code of interp's runs, so the earliest signal waits at least this long."""
    took = []
    for _ in range(3):  # the slowest of three: a busy machine's startup varies
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "import re, sys"], check=True)
        took.append(time.monotonic() - started)
    return max(took)


def _interrupt(command: list[str], after: float) -> subprocess.CompletedProcess:
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(after)
    running = process.poll() is None
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert running, f"the command ended before the signal ({after} s): {err[-500:]}"
    return subprocess.CompletedProcess(command, process.returncode, out, err)


@pytest.mark.parametrize("after", [0.05, 0.2, 0.5, 1.0, 2.0])
def test_ctrl_c_at_any_moment_exits_130_saying_only_interrupted(tmp_path, after):
    after = max(after, 2 * _startup_s())  # a slow machine: still within interp's imports
    command = [INTERP, "render", "specs/teaser.interp", "-o", str(tmp_path / "t.html")]
    done = _interrupt([*command, "--no-cache", "--device", "cpu"], after)
    assert "Traceback" not in done.stderr and "KeyboardInterrupt" not in done.stderr
    assert done.stderr.strip().splitlines() == ["interrupted"]
    assert done.returncode == 130
    assert not (tmp_path / "t.html").exists()


def test_the_console_script_starts_in_a_module_that_imports_nothing_of_interp():
    code = (
        "import sys, interp_launch; "
        "print(sorted(m for m in sys.modules if m == 'interp' or m.startswith('interp.')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    script = Path(INTERP).read_text()
    assert "from interp_launch import main" in script, "reinstall: pip install -e ."


def _wrapped_interrupt(args):
    """What Python 3.11 raises for a Ctrl-C inside a class body's `__set_name__`."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise RuntimeError("Error calling __set_name__ on 'cached_property'") from exc


def test_an_error_caused_by_ctrl_c_is_an_interrupt_not_an_internal_error(monkeypatch, capsys):
    import interp.cli

    monkeypatch.setattr(interp.cli, "check_command", _wrapped_interrupt)
    assert interp.cli.main(["check", "specs/teaser.interp"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_the_launcher_says_interrupted_for_an_error_caused_by_ctrl_c(monkeypatch, capsys):
    import signal as signals

    import interp.cli
    import interp_launch

    monkeypatch.setattr(interp.cli, "main", lambda: _wrapped_interrupt(None))
    handler = signals.getsignal(signals.SIGINT)
    try:
        assert interp_launch.main() == 130
    finally:
        signals.signal(signals.SIGINT, handler)  # the launcher's is for a process that ends
    assert capsys.readouterr().err == "interrupted\n"
