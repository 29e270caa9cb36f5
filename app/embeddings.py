"""The model behind the service: a thin, injectable SentenceTransformer wrapper."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from app import config

PROVIDER = "sentence-transformers"
WARM_UP_TEXT = "warm-up"


class EmbeddingModel(Protocol):
    """What the service needs from a model (SentenceTransformer satisfies it)."""

    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...


ModelLoader = Callable[[str, str], EmbeddingModel]
"""``loader(model_path, device) -> model``."""


class DimensionMismatch(RuntimeError):
    """The model produced vectors of an unexpected size.

    ``str()`` names the model and its path (for the log); ``public`` does not
    (for response bodies)."""

    def __init__(self, message: str, found: int, expected: int) -> None:
        super().__init__(message)
        self.public = (
            f"model produces {found}-dimensional vectors, the service expects "
            f"{expected}"
        )


def load_sentence_transformer(model_path: str, device: str) -> EmbeddingModel:
    """Load a SentenceTransformer from a local directory.

    Imported lazily: it pulls in torch, which tests with fake models do not need.
    """
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path, device=device, local_files_only=True)


def model_name_for(model_path: str) -> str:
    """A readable name for a model directory.

    The packaged model's directory gives ``all-MiniLM-L6-v2``; any other gives
    its own name, or its parent's when it is called ``model``. (The model's
    ``config.json`` names the base model it was fine-tuned from,
    ``nreimers/MiniLM-L6-H384-uncased``, so it is no use here.)
    """
    path = Path(model_path)
    try:
        if path.resolve() == Path(config.default_model_path()).resolve():
            return config.PACKAGED_MODEL_NAME
    except (config.ConfigError, OSError):
        pass
    if path.name == "model" and path.parent.name:
        return path.parent.name
    return path.name or str(path)


class Embedder:
    """Encodes texts to L2-normalised vectors with a lazily loaded model.

    ``loader`` is injectable so tests can pass a fake model; by default it loads
    a SentenceTransformer. ``model_path`` / ``device`` of ``None`` resolve to the
    defaults in ``app.config`` when the model is loaded.
    """

    provider = PROVIDER

    def __init__(
        self,
        model_path: str | None = None,
        device: str | None = None,
        *,
        loader: ModelLoader = load_sentence_transformer,
        model_name: str | None = None,
    ) -> None:
        self._model_path = model_path
        self._device = device
        self._loader = loader
        self._model_name = model_name
        self._model: EmbeddingModel | None = None
        self._dimensions: int | None = None
        self._lock = threading.Lock()

    @property
    def model_path(self) -> str:
        if self._model_path is None:
            self._model_path = config.default_model_path()
        return self._model_path

    @property
    def device(self) -> str:
        if self._device is None:
            self._device = config.default_device()
        return self._device

    @property
    def model_name(self) -> str:
        if self._model_name is None:
            if self._model_path is None:
                self._model_name = config.PACKAGED_MODEL_NAME
            else:
                self._model_name = model_name_for(self._model_path)
        return self._model_name

    @property
    def dimensions(self) -> int | None:
        """Vector size seen on the last encode (``None`` before the first one)."""
        return self._dimensions

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> EmbeddingModel:
        if self._model is None:
            self._model = self._loader(self.model_path, self.device)
        return self._model

    def encode(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, as plain floats."""
        model = self.load()
        with self._lock:
            vectors = model.encode(
                list(texts),
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        rows = (
            vectors.tolist()
            if hasattr(vectors, "tolist")
            else [list(v) for v in vectors]
        )
        result = [[float(x) for x in row] for row in rows]
        if len(result) != len(texts):
            raise RuntimeError(
                f"model returned {len(result)} vectors for {len(texts)} texts"
            )
        if result:
            self._dimensions = len(result[0])
        return result

    def warm_up(self, expected_dimensions: int | None = None) -> int:
        """Load the model and encode one text; return the vector size.

        Raises ``DimensionMismatch`` when ``expected_dimensions`` is given and differs.
        """
        (vector,) = self.encode([WARM_UP_TEXT])
        if expected_dimensions is not None and len(vector) != expected_dimensions:
            raise DimensionMismatch(
                f"model {self.model_name!r} at {self.model_path} produces "
                f"{len(vector)}-dimensional vectors, the service expects "
                f"{expected_dimensions}",
                len(vector),
                expected_dimensions,
            )
        return len(vector)
