"""The embedding service: ``GET /health`` and ``POST /embed``.

The model is warmed up (loaded, one text encoded) in the lifespan. A warm-up
failure does not stop the service: it stays up, ``/health`` answers 503 with the
reason and ``/embed`` refuses with 503, so an orchestrator sees a degraded
service instead of a crash loop with the reason lost in a log.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint
# annotations at run time, and the request model is local to ``create_app``.
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.config import Settings, load_settings
from app.embeddings import Embedder

# A child of uvicorn's error logger: uvicorn configures that one at INFO with a
# handler, so the warm-up report (provider, model, dimensions, device) shows in
# the service's log however it is started (`python -m uvicorn`, app.server).
logger = logging.getLogger("uvicorn.error").getChild("app")

NOT_WARMED_UP = "model not loaded yet (warm-up has not run)"


@dataclass
class EmbeddingStatus:
    """Outcome of the warm-up: ``reason`` is ``None`` when the model is usable."""

    reason: str | None = NOT_WARMED_UP

    @property
    def ok(self) -> bool:
        return self.reason is None


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    service: str
    timestamp: str = Field(description="ISO 8601, UTC")
    checks: dict[str, str] = Field(description='"ok" or the reason a check failed')


class EmbedResponse(BaseModel):
    model: str
    dimensions: int
    embeddings: list[list[float]]


def make_embed_request_model(
    max_batch_size: int, max_text_length: int
) -> type[BaseModel]:
    """The ``POST /embed`` body, bounded by the settings.

    Empty lists, non-string items, too many texts and too long texts all fail
    validation, which FastAPI answers with 422 and a message per problem.
    """

    class EmbedRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        texts: list[Annotated[StrictStr, Field(max_length=max_text_length)]] = Field(
            min_length=1,
            max_length=max_batch_size,
            description=(
                f"1 to {max_batch_size} texts of at most {max_text_length} characters"
            ),
        )

    return EmbedRequest


def utc_timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def warm_up(embedder: Embedder, expected_dimensions: int) -> EmbeddingStatus:
    """Load the model and encode one text; never raises."""
    try:
        dimensions = embedder.warm_up(expected_dimensions)
    except Exception as exc:  # noqa: BLE001 (any failure degrades, none crashes)
        reason = f"warm-up failed: {type(exc).__name__}: {exc}"
        logger.error("embeddings degraded: %s", reason, exc_info=True)
        return EmbeddingStatus(reason=reason)
    logger.info(
        "embeddings ready: provider=%s model=%s dimensions=%d device=%s",
        embedder.provider,
        embedder.model_name,
        dimensions,
        embedder.device,
    )
    return EmbeddingStatus(reason=None)


def create_app(
    settings: Settings | None = None, embedder: Embedder | None = None
) -> FastAPI:
    """Build the service. ``embedder`` is injectable (tests pass fake models)."""
    settings = settings or load_settings()
    embedder = embedder or Embedder(
        settings.model_path, settings.device, model_name=settings.model_name
    )
    status = EmbeddingStatus()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        outcome = await run_in_threadpool(
            warm_up, embedder, settings.expected_dimensions
        )
        status.reason = outcome.reason
        yield

    app = FastAPI(
        title=settings.service_name,
        summary="Sentence embeddings (all-MiniLM-L6-v2, 384 dimensions).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    app.state.embedding_status = status

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        # FastAPI's default 422, minus the offending input: a rejected 2 MB text
        # or a 10 000-item batch is not worth echoing back.
        detail = [
            {k: v for k, v in error.items() if k in ("type", "loc", "msg", "ctx")}
            for error in exc.errors()
        ]
        return JSONResponse(jsonable_encoder({"detail": detail}), status_code=422)

    EmbedRequest = make_embed_request_model(
        settings.max_batch_size, settings.max_text_length
    )

    @app.get(
        "/health",
        response_model=HealthResponse,
        responses={503: {"model": HealthResponse, "description": "Degraded"}},
    )
    def health() -> JSONResponse:
        body = HealthResponse(
            status="ok" if status.ok else "degraded",
            service=settings.service_name,
            timestamp=utc_timestamp(),
            checks={"embeddings": "ok" if status.reason is None else status.reason},
        )
        return JSONResponse(body.model_dump(), status_code=200 if status.ok else 503)

    @app.post(
        "/embed",
        response_model=EmbedResponse,
        responses={503: {"description": "The model is degraded or failed to encode"}},
    )
    def embed(request: EmbedRequest) -> EmbedResponse:  # type: ignore[valid-type]
        if status.reason is not None:
            raise HTTPException(
                status_code=503, detail=f"embeddings degraded: {status.reason}"
            )
        texts: list[str] = request.texts  # type: ignore[attr-defined]
        try:
            vectors = embedder.encode(texts)
        except Exception as exc:  # noqa: BLE001 (report, do not 500)
            logger.exception("encoding %d texts failed", len(texts))
            raise HTTPException(
                status_code=503, detail=f"embedding failed: {type(exc).__name__}: {exc}"
            ) from exc
        dimensions = len(vectors[0])
        if dimensions != settings.expected_dimensions:
            status.reason = (
                f"model produced {dimensions}-dimensional vectors, "
                f"expected {settings.expected_dimensions}"
            )
            logger.error("embeddings degraded: %s", status.reason)
            raise HTTPException(
                status_code=503, detail=f"embeddings degraded: {status.reason}"
            )
        return EmbedResponse(
            model=embedder.model_name, dimensions=dimensions, embeddings=vectors
        )

    return app


app = create_app()
