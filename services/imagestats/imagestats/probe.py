"""The imagestats service's probe for the service gate (gates.service_gate).

``probe(base_url)`` posts a 64x64 PNG of two bright squares on a dark field
and returns the problems with the answer: its size and mode, the two
regions, the channel's range, and finite statistics. It lives with the
service and is not part of its image.
"""

from __future__ import annotations

import math
from typing import Any

from gates.probe import http_json, png_of


def probe_image() -> bytes:
    """64x64, a dark field (20) with two bright (220) squares that do not touch."""
    rows = []
    for y in range(64):
        row = bytearray([20] * 64)
        if 8 <= y < 24:
            row[8:24] = bytes([220] * 16)
        if 40 <= y < 56:
            row[36:60] = bytes([220] * 24)
        rows.append(bytes(row))
    return png_of(rows)


def evaluate_stats(status: int, body: Any) -> list[str]:
    """Problems with a ``POST /stats`` answer for ``probe_image``."""
    if status != 200 or not isinstance(body, dict):
        return [f"POST /stats answered {status}: {str(body)[:300]}"]
    want = {"width": 64, "height": 64, "mode": "L", "regions_above_threshold": 2}
    problems = [
        f"POST /stats reports {key}={body.get(key)!r}, expected {value!r}"
        for key, value in want.items()
        if body.get(key) != value
    ]
    channel = (body.get("channels") or {}).get("L") or {}
    if (channel.get("min"), channel.get("max")) != (20, 220):
        problems.append(
            f"POST /stats reports the L channel as {channel}, expected min 20, max 220"
        )
    for key in ("entropy_bits", "edge_fraction", "sharpness", "skewness"):
        value = body.get(key)
        if not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(f"POST /stats reports {key}={value!r}, not a finite number")
    return problems


def probe(base_url: str) -> list[str]:
    status, body = http_json(
        "POST", base_url + "/stats", probe_image(), content_type="image/png"
    )
    return evaluate_stats(status, body)
