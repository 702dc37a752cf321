"""Issue 25, third pass: bounded waits for Ray, environment values, Python API types, and
warnings as one plain line. Each test reproduces a fault the issue found."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import interp
from interp.cli import main, plain_warnings
from interp.errors import InterpError

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
INTERP = str(Path(sys.executable).with_name("interp"))


def _closed_port() -> int:
    """A local port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- bounded waits: joining a Ray cluster ---------------------------------------------------


class _NoInit:
    """A stand-in for the `ray` module whose `init` must not be reached."""

    def init(self, **kwargs):
        raise AssertionError(f"ray.init was called: {kwargs}")


@pytest.mark.parametrize(
    "address, why",
    [
        ("nonsense", "not HOST:PORT"),
        ("127.0.0.1:x", "'x' is not a port"),
        ("127.0.0.1:70000", "is not a port"),
        ("http://127.0.0.1:6379", "unknown scheme"),
        (":6379", "not HOST:PORT"),
    ],
)
def test_a_malformed_ray_address_is_refused_before_any_work(address, why):
    with pytest.raises(InterpError, match="is not a Ray cluster address") as caught:
        interp.Options(executor="ray", ray_address=address)
    assert isinstance(caught.value, ValueError)
    assert why in str(caught.value) and address in str(caught.value)
    assert "ray start --head" in caught.value.diagnostics[0].hint


def test_a_silent_port_is_refused_without_calling_ray_init():
    from interp.execute.executors.ray_connect import join

    address = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(InterpError, match="no Ray cluster answers") as caught:
        join(_NoInit(), address)
    assert time.monotonic() - started < 10
    assert address in str(caught.value) and "TCP connection" in str(caught.value)
    assert "ray start --head" in caught.value.diagnostics[0].hint


def test_an_unknown_host_is_refused_without_calling_ray_init():
    from interp.execute.executors.ray_connect import join

    with pytest.raises(InterpError, match="is not known"):
        join(_NoInit(), "no-such-host.invalid:6379", "$RAY_ADDRESS")


def test_a_ray_client_address_is_refused_clearly():
    from interp.execute.executors.ray_connect import join

    address = f"ray://127.0.0.1:{_closed_port()}"
    with pytest.raises(InterpError, match="ray://|no Ray cluster answers") as caught:
        join(_NoInit(), address)
    assert address in str(caught.value)


def test_what_ray_init_raises_becomes_an_interp_error():
    from interp.execute.executors.ray_connect import join

    class Refusing:
        def init(self, **kwargs):
            raise ConnectionError("Could not find any running Ray instance.")

    with pytest.raises(InterpError, match="could not join the Ray cluster .*'auto'") as caught:
        join(Refusing(), "auto")
    assert "ray start --head" in caught.value.diagnostics[0].hint


def test_joining_an_address_bounds_rays_own_waits_but_keeps_the_users(monkeypatch):
    from interp.execute.executors.ray_connect import RAY_JOIN_WAITS, bound_join_waits

    for name in RAY_JOIN_WAITS:  # set, then removed: undone after the test, whatever it sets
        monkeypatch.setenv(name, "unset")
        monkeypatch.delenv(name)
    monkeypatch.setenv("RAY_py_gcs_connect_timeout_s", "99")
    bound_join_waits()
    assert os.environ["RAY_gcs_server_port_wait_time_s"] == "1"
    assert os.environ["RAY_py_gcs_connect_timeout_s"] == "99"
    monkeypatch.undo()
    assert not any(name in os.environ for name in RAY_JOIN_WAITS)


def test_render_on_a_silent_ray_address_fails_fast_and_says_how_to_start_one(tmp_path):
    pytest.importorskip("ray")
    address = f"127.0.0.1:{_closed_port()}"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    command = [INTERP, "render", str(SPECS / "saliency.interp"), "-o", str(tmp_path / "s.html")]
    command += ["--no-cache", "--executor", "ray", "--ray-address", address]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=90, env=env)
    assert time.monotonic() - started < 30
    assert done.returncode == 1
    assert "error:" in done.stderr and address in done.stderr
    assert "ray start --head" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


# ---- environment values -----------------------------------------------------------------------


def _missing_user() -> str:
    name = "nosuchuser"
    while True:
        try:
            pwd.getpwnam(name)
        except KeyError:
            return name
        name += "x"


def test_an_empty_cache_dir_is_an_error_not_the_default(monkeypatch, capsys):
    monkeypatch.setenv("INTERP_CACHE_DIR", "")
    with pytest.raises(ValueError, match="INTERP_CACHE_DIR is set but empty"):
        interp.Cache()
    with pytest.raises(InterpError, match="set but empty"):
        interp.Options()
    assert main(["cache", "path"]) == 1
    err = capsys.readouterr().err
    assert "error: INTERP_CACHE_DIR is set but empty" in err and "unset" in err


def test_a_cache_dir_of_a_missing_user_is_a_clear_error(monkeypatch, capsys, tmp_path):
    user = _missing_user()
    monkeypatch.setenv("INTERP_CACHE_DIR", f"~{user}/c")
    with pytest.raises(InterpError, match=f"no user '{user}'"):
        interp.Cache()
    with pytest.raises(ValueError, match=f"no user '{user}'"):
        interp.Cache(f"~{user}/elsewhere")
    out = tmp_path / "s.html"
    assert main(["render", str(SPECS / "saliency.interp"), "-o", str(out), "--no-cache"]) == 1
    err = capsys.readouterr().err
    assert f"~{user}" in err and "internal error" not in err
    assert not out.exists()


def test_a_cache_dir_with_a_known_home_still_expands(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("INTERP_CACHE_DIR", "~/cache")
    assert interp.Cache().root == tmp_path / "cache"
    monkeypatch.delenv("INTERP_CACHE_DIR")
    assert interp.Cache().root == tmp_path / ".cache" / "interp"


# ---- the Python API refuses wrong types ------------------------------------------------------


@pytest.mark.parametrize(
    "keywords, match",
    [
        ({"elements": ["where"]}, "elements= takes a mapping .* not a list"),
        ({"let": [("mid", "x")]}, "let= takes a mapping .* not a list"),
        ({"layout": "row"}, "layout= takes row"),
        ({"title": 3}, "title= takes a string"),
    ],
)
def test_the_builder_names_the_argument_of_a_wrong_type(keywords, match):
    from interp.syntax.builder import interface

    with pytest.raises(TypeError, match=match):
        interface("a", **keywords)


def test_a_builder_spec_of_something_else_is_a_type_error():
    from interp.syntax.builder import spec

    with pytest.raises(TypeError, match="interfaces and comparisons"):
        spec("teaser")


def test_render_page_and_write_outputs_name_what_they_take(tmp_path):
    with pytest.raises(TypeError, match="render_page takes a PageView"):
        interp.render_page(None)
    target = tmp_path / "x.html"
    with pytest.raises(TypeError, match="write_outputs takes a PageView or a ComparisonView"):
        interp.write_outputs(None, target)
    assert list(tmp_path.iterdir()) == []


def test_check_takes_a_path_or_text_as_run_does():
    path = SPECS / "teaser.interp"
    by_ast = interp.check(interp.load(path), bind_models=False)
    for given in (str(path), path, path.read_text()):
        program = interp.check(given, bind_models=False)
        assert [i.name for i in program.interfaces] == [i.name for i in by_ast.interfaces]


@pytest.mark.parametrize("given", [None, 3, b"interface a {}"])
def test_check_of_anything_else_names_what_it_takes(given):
    with pytest.raises(TypeError, match="an interp AST .*, .interp text or a path") as caught:
        interp.check(given)
    assert "interp.check(" in str(caught.value)


# ---- warnings as one plain line -------------------------------------------------------------


def test_interps_warnings_print_as_one_plain_line(capsys):
    from PIL import Image

    from interp.data.datasets import DatasetWarning

    with warnings.catch_warnings(), plain_warnings():
        warnings.simplefilter("always")
        warnings.warn(
            "dataset(x): skipped 1 file\n  that is not an image", DatasetWarning, stacklevel=2
        )
        warnings.warn(
            "Image size (9 pixels) exceeds limit", Image.DecompressionBombWarning, stacklevel=2
        )
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "warning: dataset(x): skipped 1 file that is not an image",
        "warning: Image size (9 pixels) exceeds limit",
    ]


def test_other_warnings_go_to_pythons_handler_which_is_restored_after():
    from interp.data.datasets import DatasetWarning

    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, category, *rest: seen.append(category)
        before = warnings.showwarning
        with plain_warnings():
            warnings.warn("a library's note", UserWarning, stacklevel=2)
            warnings.warn("interp's own", DatasetWarning, stacklevel=2)
        assert warnings.showwarning is before
    assert seen == [UserWarning]


def test_importing_interp_leaves_pythons_warning_handler_alone():
    code = "import warnings; s = warnings.showwarning; import interp, interp.cli; print(warnings.showwarning is s)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "True"


def test_skipped_dataset_files_and_a_decompression_bomb_print_one_plain_line(tmp_path, capsys):
    from PIL import Image

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (64, 64), "red").save(photos / "ok.png")
    Image.new("L", (10000, 9000)).save(photos / "bomb.png")  # 90 M pixels in a small file
    (photos / "notes.jpg").write_text("not an image")
    spec = tmp_path / "d.interp"
    spec.write_text(
        'interface d {\n  input sample("chelsea")\n  let pics = dataset("photos/*")\n'
        '  element e = activations(layer("blocks.4.2.bn1").spatial, over=pics) '
        "| top(1) as examples\n}\n"
    )
    assert main(["check", str(spec)]) == 0
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if line.strip()]
    assert line.startswith('warning: dataset("photos/*"): skipped 2 files that are not')
    assert "bomb.png" in line and "notes.jpg" in line
    assert "Warning" not in err and ".py:" not in err
