"""Rank documents for a query: BM25 (rank-bm25) mixed with MiniLM cosine.

Each score is ``w * lexical + (1 - w) * semantic``: ``lexical`` is the
document's BM25 score divided by the best one (0 when no term matches),
``semantic`` the cosine similarity of the normalised embeddings, clipped to
[0, 1]. Ties keep the documents' order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

_TOKEN = re.compile(r"\w+", re.UNICODE)

# The warm-up: the answer is known, so a model that ranks it wrong is broken.
PROBE_QUERY = "How do I bake bread at home?"
PROBE_DOCUMENTS = (
    "The stock market closed higher on Friday.",
    "Knead the dough, let it rise, then bake the loaf in a hot oven.",
    "The football match was postponed because of rain.",
)
PROBE_BEST = 1


class Encoder(Protocol):
    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class Ranked:
    index: int
    score: float
    lexical: float
    semantic: float


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def lexical_scores(query: str, documents: Sequence[str]) -> list[float]:
    """BM25 (Okapi) of each document for the query, divided by the best."""
    from rank_bm25 import BM25Okapi

    corpus = [tokens(d) or [""] for d in documents]
    raw = [float(s) for s in BM25Okapi(corpus).get_scores(tokens(query))]
    best = max(raw, default=0.0)
    return [max(s, 0.0) / best if best > 0 else 0.0 for s in raw]


def semantic_scores(
    encoder: Encoder, query: str, documents: Sequence[str]
) -> list[float]:
    import numpy as np

    vectors = np.asarray(
        encoder.encode([query, *documents], normalize_embeddings=True), dtype=np.float64
    )
    if vectors.ndim != 2 or vectors.shape[0] != len(documents) + 1:
        raise ValueError(f"the model returned vectors of shape {vectors.shape}")
    if not np.all(np.isfinite(vectors)):
        raise ValueError("the model returned non-finite values")
    similarities = vectors[1:] @ vectors[0]
    return [float(min(max(s, 0.0), 1.0)) for s in similarities]


def rank(
    encoder: Encoder, query: str, documents: Sequence[str], lexical_weight: float
) -> list[Ranked]:
    lexical = lexical_scores(query, documents)
    semantic = semantic_scores(encoder, query, documents)
    ranked = [
        Ranked(i, lexical_weight * lex + (1 - lexical_weight) * sem, lex, sem)
        for i, (lex, sem) in enumerate(zip(lexical, semantic, strict=True))
    ]
    return sorted(ranked, key=lambda r: (-r.score, r.index))


def load_encoder(model_path: str, device: str) -> Encoder:
    from sentence_transformers import SentenceTransformer

    model: Encoder = SentenceTransformer(
        model_path, device=device, local_files_only=True
    )
    return model


def self_check(encoder: Encoder) -> None:
    """Raise unless the model alone and BM25 alone each rank the probe's
    answer first: either half broken would hide behind the other in a mix."""
    for what, weight in (("the model", 0.0), ("BM25", 1.0)):
        best = rank(encoder, PROBE_QUERY, PROBE_DOCUMENTS, weight)[0]
        if best.index != PROBE_BEST:
            raise RuntimeError(
                f"{what} ranked probe document {best.index} first, "
                f"expected {PROBE_BEST}"
            )


Loader = Callable[[str, str], Encoder]
"""Loads the model from a directory onto a device (cpu, cuda)."""
