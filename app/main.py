"""The embedding service: ``GET /health`` and ``POST /embed``.

The model is warmed up (loaded, one text encoded) in the lifespan. A warm-up
failure does not stop the service: it stays up, ``/health`` answers 503 with the
reason and ``/embed`` refuses with 503, so an orchestrator sees a degraded
service instead of a crash loop with the reason lost in a log.

Under abuse (``app.limits``): a body over the limit the batch and text limits
imply is refused with 413 before it is read; the model runs in its own
executor behind a bounded queue (a full queue is 503 with Retry-After at
once), and ``/health`` runs on the event loop, never behind the model. Text
that is not valid Unicode (a lone surrogate) is 422; vectors are checked
finite. Error bodies name what failed, never paths or tracebacks: the log has
those.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint
# annotations at run time, and the request model is local to ``create_app``.
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictStr

from app.config import Settings, load_settings
from app.embeddings import DimensionMismatch, Embedder
from app.limits import BodyLimit, QueueFull, WorkQueue, body_limit_for

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


class ErrorResponse(BaseModel):
    detail: str


class EmbedResponse(BaseModel):
    model: str
    dimensions: int
    embeddings: list[list[float]]


RETRY_AFTER_S = 1


def valid_unicode(text: str) -> str:
    """Refuse what no tokenizer can take: lone surrogates (JSON allows "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"the text is not valid Unicode: a lone surrogate at position {exc.start}"
        ) from None
    return text


def make_embed_request_model(
    max_batch_size: int, max_text_length: int
) -> type[BaseModel]:
    """The ``POST /embed`` body, bounded by the settings.

    Empty lists, non-string items, too many texts and too long texts all fail
    validation, which FastAPI answers with 422 and a message per problem.
    """

    class EmbedRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        texts: list[
            Annotated[
                StrictStr,
                Field(max_length=max_text_length),
                AfterValidator(valid_unicode),
            ]
        ] = Field(
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
    except DimensionMismatch as exc:
        logger.error("embeddings degraded: %s", exc)
        return EmbeddingStatus(reason=exc.public)
    except Exception as exc:  # noqa: BLE001 (any failure degrades, none crashes)
        # The body says what failed; the log has the message and traceback
        # (which may name paths).
        reason = f"warm-up failed: {type(exc).__name__} (see the service log)"
        logger.error(
            "embeddings degraded: warm-up failed: %s: %s",
            type(exc).__name__,
            exc,
            exc_info=True,
        )
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
    queue = WorkQueue(settings.workers, settings.max_queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        outcome = await queue.submit(warm_up, embedder, settings.expected_dimensions)
        status.reason = outcome.reason
        yield
        queue.shutdown()

    app = FastAPI(
        title=settings.service_name,
        summary="Sentence embeddings (all-MiniLM-L6-v2, 384 dimensions).",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.embedder = embedder
    app.state.embedding_status = status
    app.state.queue = queue
    body_limit = body_limit_for(settings.max_batch_size, settings.max_text_length)
    app.state.body_limit = body_limit

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
    async def health() -> JSONResponse:
        # On the event loop: it never waits for a thread, busy or not.
        body = HealthResponse(
            status="ok" if status.ok else "degraded",
            service=settings.service_name,
            timestamp=utc_timestamp(),
            checks={"embeddings": "ok" if status.reason is None else status.reason},
        )
        return JSONResponse(body.model_dump(), status_code=200 if status.ok else 503)

    error = {"model": ErrorResponse}
    retry = {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}}

    @app.post(
        "/embed",
        response_model=EmbedResponse,
        responses={
            400: {
                **error,
                "description": "Invalid Content-Length, or an unparsable body",
            },
            413: {**error, "description": f"Body over {body_limit} bytes (not read)"},
            422: {
                "description": (
                    "Invalid request: texts missing, empty, too many, too long, "
                    "not strings, not valid Unicode"
                )
            },
            503: {
                **error,
                "description": (
                    "The model is degraded or failed, or every worker is busy "
                    "and the queue is full (Retry-After)"
                ),
                "headers": retry,
            },
        },
    )
    async def embed(request: EmbedRequest) -> EmbedResponse:  # type: ignore[valid-type]
        if status.reason is not None:
            raise HTTPException(
                status_code=503, detail=f"embeddings degraded: {status.reason}"
            )
        texts: list[str] = request.texts  # type: ignore[attr-defined]
        try:
            vectors = await queue.submit(embedder.encode, texts)
        except QueueFull:
            raise HTTPException(
                status_code=503,
                detail="every worker is busy and the queue is full: retry later",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            ) from None
        except Exception as exc:  # noqa: BLE001 (report, do not 500)
            logger.exception("encoding %d texts failed", len(texts))
            raise HTTPException(
                status_code=503,
                detail=f"embedding failed: {type(exc).__name__} (see the service log)",
            ) from exc
        if not all(math.isfinite(x) for vector in vectors for x in vector):
            logger.error(
                "the model returned non-finite values for %d texts", len(texts)
            )
            raise HTTPException(
                status_code=503,
                detail="embedding failed: the model returned non-finite values",
            )
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

    # Outermost: the body limit holds before FastAPI reads any of the body.
    app.add_middleware(BodyLimit, max_bytes=body_limit)
    return app


app = create_app()
