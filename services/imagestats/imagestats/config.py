"""Service settings, read from the environment and bounded."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SERVICE_NAME = "imagestats"
DEFAULT_MAX_IMAGE_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 16_000_000
HARD_MAX_IMAGE_BYTES = 64 * 1024 * 1024
HARD_MAX_PIXELS = 100_000_000
"""What no environment may raise the limits above."""


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    service_name: str = DEFAULT_SERVICE_NAME
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    """Larger request bodies are refused with 413 before they are read."""
    max_pixels: int = DEFAULT_MAX_PIXELS
    """Larger images are refused with 413 before they are decoded."""


def _bounded_int(env: Mapping[str, str], name: str, default: int, hard_max: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise ConfigError(f"{name}={raw!r}: expected a positive integer")
    value = int(raw)
    if not 1 <= value <= hard_max:
        raise ConfigError(f"{name}={value}: expected 1 to {hard_max}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from IMAGESTATS_* variables; ConfigError names a bad one."""
    env = os.environ if env is None else env
    name = env.get("IMAGESTATS_SERVICE_NAME") or DEFAULT_SERVICE_NAME
    if len(name) > 64 or not name.isprintable():
        raise ConfigError("IMAGESTATS_SERVICE_NAME: at most 64 printable characters")
    return Settings(
        service_name=name,
        max_image_bytes=_bounded_int(
            env,
            "IMAGESTATS_MAX_IMAGE_BYTES",
            DEFAULT_MAX_IMAGE_BYTES,
            HARD_MAX_IMAGE_BYTES,
        ),
        max_pixels=_bounded_int(
            env, "IMAGESTATS_MAX_PIXELS", DEFAULT_MAX_PIXELS, HARD_MAX_PIXELS
        ),
    )
