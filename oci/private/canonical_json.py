"""Canonical JSON bytes: sorted keys, no whitespace, ASCII only.

Every JSON blob whose digest matters (image config, manifest, index) goes
through `dumps`, so the same content always gives the same digest.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")
