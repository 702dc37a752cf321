"""Joining a Ray cluster with bounded waits and errors that say what to do.

`ray.init(address="host:port")` retries a silent address for many minutes
(about 20 attempts of 40 s each), and turns a malformed one into a bare
`ValueError`. Here an address is parsed first (`options.parse_ray_address`:
`HOST:PORT`, `ray://HOST:PORT`, `auto` or `local`), its port is tried with one short TCP connection, and only
then is Ray asked to join, with its own connection waits shortened (unless the
user set them) so that a port that answers but is no Ray head fails in about
20 s too. Every failure is an `InterpError` naming the address, what was
tried, and how to start a cluster.
"""

from __future__ import annotations

import importlib.util
import os
import socket

from interp.errors import error
from interp.options import RayAddress, parse_ray_address, ray_address_named

CONNECT_TIMEOUT_S = 5.0  # one TCP connection to the head's port

# Ray's own waits while joining, read by Ray when it is imported: one attempt
# (not 20) of at most 5 + 5 + 10 s. Set only when joining a given address,
# so a local cluster that `ray.init()` starts keeps Ray's defaults.
RAY_JOIN_WAITS = {
    "RAY_gcs_server_port_wait_time_s": "1",
    "RAY_py_gcs_connect_timeout_s": "10",
    "RAY_gcs_rpc_server_connect_timeout_s": "5",
}

START_HINT = (
    "start one with `ray start --head` and pass the address it prints (HOST:6379), "
    "or leave out the address to start a local cluster for this run"
)


def bound_join_waits() -> None:
    """Shorten Ray's join waits; only effective before `import ray`."""
    for name, value in RAY_JOIN_WAITS.items():
        os.environ.setdefault(name, value)


def check_reachable(address: RayAddress, origin: str = "", timeout: float = CONNECT_TIMEOUT_S):
    """Raise an `InterpError` unless something accepts a TCP connection at `address`."""
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout):
            return
    except socket.gaierror as exc:
        why = f"the host {address.host!r} is not known ({exc.strerror or exc})"
    except TimeoutError:
        why = (
            f"a TCP connection to {address.host} port {address.port} got no answer in {timeout:g} s"
        )
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        why = f"a TCP connection to {address.host} port {address.port} failed: {reason.lower()}"
    raise error(
        f"no Ray cluster answers at {ray_address_named(address.text, origin)}: {why}",
        hint=START_HINT,
    )


def join(ray, address: str | None, origin: str = "") -> None:
    """`ray.init` on `address` (None: start a local cluster), every failure an `InterpError`."""
    parsed = parse_ray_address(address, origin) if address is not None else None
    if parsed is not None and parsed.scheme == "ray":
        _require_ray_client(address, origin)
    if parsed is not None:
        check_reachable(parsed, origin)
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    except (ConnectionError, ValueError, RuntimeError, TimeoutError) as exc:
        if address is None:
            raise
        said = str(exc).strip() or type(exc).__name__
        raise error(
            f"could not join the Ray cluster at {ray_address_named(address, origin)}: {said}",
            hint="a head's address is the one `ray start --head` prints (port 6379 by default, "
            "not the dashboard's 8265); " + START_HINT,
        ) from exc


def _require_ray_client(address: str, origin: str) -> None:
    if importlib.util.find_spec("grpc") is None:  # what Ray Client needs beyond Ray
        raise error(
            f"{ray_address_named(address, origin)} is a Ray Client address (ray://), "
            "which needs the `ray[client]` package",
            hint="pip install 'ray[client]', or give the head's HOST:PORT "
            "(`ray start --head` prints it; port 6379 by default)",
        )
