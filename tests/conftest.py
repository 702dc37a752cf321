"""Suite-wide settings: keep torch from oversubscribing the CI's two cores, and keep
every cache write inside the test's own temporary folder."""

import atexit
import os
import shutil
import tempfile

import pytest

# Idle OpenMP threads spin by default; under pytest-xdist's two workers that
# slows torch down many times over. This must be set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# `interp.run` and the CLI cache by default: never in the user's ~/.cache. Module-
# and session-scoped fixtures (and subprocesses) use this process's folder; each
# test gets a fresh one of its own below, so no test sees another's entries.
_SESSION_CACHE = tempfile.mkdtemp(prefix="interp-test-cache-")
os.environ["INTERP_CACHE_DIR"] = _SESSION_CACHE
atexit.register(shutil.rmtree, _SESSION_CACHE, ignore_errors=True)

import torch  # noqa: E402

if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(
        max(1, (os.cpu_count() or 2) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    )

SHARED_CACHE = "INTERP_TEST_SHARED_CACHE"


def pytest_configure(config):
    """One cache folder for the session, made before xdist starts its workers (they inherit
    it): the contract specs over datasets run their passes once, whichever test is first."""
    if SHARED_CACHE not in os.environ:
        import tempfile

        os.environ[SHARED_CACHE] = tempfile.mkdtemp(prefix="interp-test-cache-")
        config._interp_shared_cache = os.environ[SHARED_CACHE]


def pytest_unconfigure(config):
    folder = getattr(config, "_interp_shared_cache", None)
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED_CACHE, None)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("INTERP_CACHE_DIR", str(tmp_path_factory.mktemp("interp-cache")))
