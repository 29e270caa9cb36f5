"""The summary service's probe for the service gate: a known answer."""

from __future__ import annotations

from gates.probe import http_json


def probe(base_url: str) -> list[str]:
    status, body = http_json("POST", base_url + "/summary", {"values": [1, 2, 3, 4]})
    if status != 200 or not isinstance(body, dict):
        return [f"POST /summary answered {status}: {str(body)[:300]}"]
    want = {"count": 4, "mean": 2.5, "median": 2.5, "p25": 1.75, "max": 4.0}
    return [
        f"POST /summary reports {key}={body.get(key)!r}, expected {value!r}"
        for key, value in want.items()
        if body.get(key) != value
    ]
