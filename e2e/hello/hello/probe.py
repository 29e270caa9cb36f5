"""hello's probe for mlimage's service gate: /sum adds."""

from __future__ import annotations

from gates.probe import http_json


def probe(base_url: str) -> list[str]:
    status, body = http_json("POST", base_url + "/sum", {"values": [1, 2, 3.5]})
    if status == 200 and isinstance(body, dict) and body.get("sum") == 6.5:
        return []
    return [f"POST /sum answered {status}: {body}"]
