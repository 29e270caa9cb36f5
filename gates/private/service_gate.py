"""Gate: a running service is healthy and does its work.

    python3 -m gates.private.service_gate --probe PROBE.py [--url http://127.0.0.1:8000]
        [--timeout 120]

Waits (at most ``--timeout`` seconds, env ``SERVICE_GATE_TIMEOUT``) for the
service at ``--url`` (env ``SERVICE_URL``) to answer, then checks:

1. ``GET /health`` answers 200 with ``"status": "ok"`` and every entry of
   ``"checks"`` (at least one) ``"ok"``;
2. the service's own probe answers: ``--probe`` (env ``SERVICE_PROBE``) is a
   Python file that lives with the service (``app/probe.py``,
   ``services/<name>/<name>/probe.py``) and defines ``probe(base_url) ->
   list[str]``, the problems with the service's answer to one real request
   (``[]``: it works). A new service brings its own probe; this module
   stays as it is.

The service warms its model up before it accepts connections, so the first
answer is final: a degraded service fails at once with its reason, it is not
waited on. Standard library only (``urllib``); probes may use ``http_json``
and ``png_of`` from here.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from gates.private.reporting import report
from gates.probe import http_json

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT_S = 120.0


class ServiceUnreachable(Exception):
    """Nothing answered at the URL before the deadline."""


class ProbeError(Exception):
    """The service's probe file cannot be used."""


def wait_for_service(base_url: str, timeout: float) -> tuple[int, Any]:
    """Poll ``GET /health`` until anything answers; return that first answer.

    Raises ``ServiceUnreachable`` (with the last connection error) on timeout.
    """
    deadline = time.monotonic() + timeout
    url = base_url.rstrip("/") + "/health"
    last_error = "no attempt made"
    delay = 0.2
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServiceUnreachable(
                f"nothing answered GET {url} within {timeout:g}s (last error: "
                f"{last_error}); is the service running and listening on that "
                "address? Its log tells why it did not come up"
            )
        try:
            return http_json("GET", url, timeout=max(0.5, min(remaining, 30.0)))
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timeout
            reason = getattr(exc, "reason", exc)
            last_error = f"{type(exc).__name__}: {reason}"
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 1.5, 2.0)


def evaluate_health(status: int, body: Any) -> list[str]:
    """Problems with a ``GET /health`` answer: it must be 200, ok, every check ok."""
    if not isinstance(body, dict):
        return [
            f"GET /health answered {status} with a non-JSON body: {str(body)[:200]}"
        ]
    checks = body.get("checks")
    if not isinstance(checks, dict) or not checks:
        return [f"GET /health answered {status} without any checks: {str(body)[:200]}"]
    failed = {name: value for name, value in checks.items() if value != "ok"}
    if status == 200 and body.get("status") == "ok" and not failed:
        return []
    return [
        f"GET /health answered {status} with status={body.get('status')!r}, "
        + ", ".join(f"{name}={value!r}" for name, value in (failed or checks).items())
        + ": the service is up but not usable (that is the reason its warm-up "
        "gave; its log has the traceback)"
    ]


Probe = Callable[[str], list[str]]
"""A service's probe: the problems with its answer to one request at a URL."""


def load_probe(path: str) -> Probe:
    """The ``probe`` function of the Python file at ``path``.

    Raises ``ProbeError`` naming the file when it is missing, does not
    import, or defines no callable ``probe``.
    """
    if not os.path.isfile(path):
        raise ProbeError(f"probe file {path}: not found")
    spec = importlib.util.spec_from_file_location("service_probe", path)
    if spec is None or spec.loader is None:
        raise ProbeError(f"probe file {path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - the message names the file and cause
        raise ProbeError(
            f"probe file {path} does not import: {type(exc).__name__}: {exc}"
        ) from None
    probe = getattr(module, "probe", None)
    if not callable(probe):
        raise ProbeError(
            f"probe file {path} defines no probe(base_url) function: a service's "
            "probe returns the problems with its answer to one request"
        )
    return probe  # type: ignore[no-any-return]


def check(base_url: str, probe: Probe, timeout: float = DEFAULT_TIMEOUT_S) -> list[str]:
    """The whole gate against ``base_url``; ``[]`` means pass."""
    base = base_url.rstrip("/")
    try:
        status, body = wait_for_service(base, timeout)
    except ServiceUnreachable as exc:
        return [str(exc)]
    problems = evaluate_health(status, body)
    if problems:
        return problems
    try:
        return probe(base)
    except (OSError, http.client.HTTPException) as exc:
        return [f"the probe of {base} failed: {type(exc).__name__}: {exc}"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.private.service_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--url", default=os.environ.get("SERVICE_URL") or DEFAULT_URL, help="base URL"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=float(os.environ.get("SERVICE_GATE_TIMEOUT") or DEFAULT_TIMEOUT_S),
        help="seconds to wait for the service to answer",
    )
    parser.add_argument(
        "--probe",
        default=os.environ.get("SERVICE_PROBE"),
        help="the service's probe file, defining probe(base_url) (env SERVICE_PROBE)",
    )
    args = parser.parse_args(argv)
    if not args.probe:
        parser.error("--probe (or SERVICE_PROBE) is required: the service's probe file")
    try:
        probe = load_probe(args.probe)
    except ProbeError as exc:
        return report("service gate", [str(exc)], "")
    problems = check(args.url, probe, args.timeout)
    return report(
        "service gate", problems, f"{args.url}: /health ok, its probe ({args.probe}) ok"
    )


if __name__ == "__main__":
    sys.exit(main())
