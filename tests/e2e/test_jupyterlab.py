"""A live notebook: JupyterLab served on localhost, opened in Chromium, its cells run there.

The exported-notebook test (`test_notebook.py`) checks what nbconvert writes;
this one checks what a researcher sees: JupyterLab's own front end renders two
results and one chart with every request off localhost blocked, both pages draw
and answer a hover, the chart draws with its inlined Vega, and nothing that
interp put on the page logs an error.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from conftest import detector_keys, hover_detector, ready_frame

pytestmark = pytest.mark.browser

TINY = "quality='draft', icon_size=32, icon_steps=2, progress=False, device='cpu', cache=None"
FIRST = """interface first {
  model efficientnet_lite0
  input sample("chelsea")
  let mid = layer("blocks.4.2.bn1")
  element detectors = activations(mid.channels) | top(3) as feature_vis
  element where = activations(mid.spatial) | select(detectors.hover) as heatmap(over=input)
}"""
SECOND = FIRST.replace("interface first", 'interface second "Coffee"').replace("chelsea", "coffee")
CELLS = [
    "import interp",
    f"first = interp.run({FIRST!r}, {TINY})\nfirst",
    f"second = interp.run({SECOND!r}, {TINY})\nsecond",
    'first.chart("where")',
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[str]:
    """A JupyterLab server on localhost serving a folder with one notebook; its URL."""
    pytest.importorskip("jupyterlab")
    nbformat = pytest.importorskip("nbformat")
    folder = tmp_path_factory.mktemp("lab")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, folder / "results.ipynb")
    port = _free_port()
    home = folder / "home"  # no user settings, workspaces or news from this machine
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    log = (folder / "server.log").open("wb")  # a pipe nobody reads would fill and stall it
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.root_dir={folder}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabServerApp.announcements_url=",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                    json.load(response)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    said = (folder / "server.log").read_text(errors="replace")[-800:]
                    pytest.fail(f"JupyterLab did not start: {said}")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_results_and_a_chart_draw_and_hover_in_jupyterlab_offline(lab, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    external, ours = [], []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith((lab, "data:", "about:", "blob:")):
            request_route.continue_()
        else:
            external.append(url)
            request_route.abort()

    def console(message) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and where.startswith("about:srcdoc"):
            ours.append(message.text)  # logged inside one of interp's frames

    page.route("**/*", route)
    page.on("console", console)
    page.goto(f"{lab}/lab/tree/results.ipynb")
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
        " && window.jupyterapp.shell.currentWidget.sessionContext"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session"
        " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
        timeout=60_000,
    )
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    frames = page.locator("iframe.interp-frame")
    page.wait_for_function(
        "() => document.querySelectorAll('iframe.interp-frame').length === 3", timeout=240_000
    )

    for index, name in enumerate(("first", "second")):
        element = frames.nth(index)
        element.scroll_into_view_if_needed()
        frame = ready_frame(element, name)
        keys = detector_keys(frame, name)
        assert len(set(keys)) >= 2
        assert hover_detector(page, element, frame, name, 1) == keys[1]

    chart = frames.nth(2)
    assert chart.get_attribute("title") == "chart"
    chart.scroll_into_view_if_needed()
    inside = chart.element_handle().content_frame()
    inside.wait_for_function(
        "document.querySelector('.vega-embed svg, .vega-embed canvas')", timeout=30_000
    )
    assert "Error loading script" not in inside.evaluate("document.body.innerText")
    assert ours == []
    assert [url for url in external if "srcdoc" in url] == []
    page.close()
