"""The reranking service: ``GET /health`` and ``POST /rerank``.

The model loads and ranks a probe with a known answer in the lifespan. A
failure does not stop the service: ``/health`` answers 503 with the reason
and ``/rerank`` refuses with 503. A body over the size the limits imply is
refused with 413 before it is parsed (Content-Length or chunked); too many
documents, an empty or over-long text or malformed JSON get 422.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations.
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from reranker import ranking
from reranker.config import Settings, default_model_path, load_settings

logger = logging.getLogger("uvicorn.error").getChild("reranker")

NOT_WARMED_UP = "model not loaded yet (warm-up has not run)"


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    service: str
    timestamp: str = Field(description="ISO 8601, UTC")
    checks: dict[str, str] = Field(description='"ok" or the reason a check failed')


class RerankRequest(BaseModel):
    query: str = Field(min_length=1)
    documents: list[str] = Field(min_length=1)


class RankedDocument(BaseModel):
    index: int = Field(description="the document's position in the request")
    score: float
    lexical: float = Field(description="BM25, divided by the best")
    semantic: float = Field(description="cosine similarity, clipped to [0, 1]")


class RerankResponse(BaseModel):
    results: list[RankedDocument] = Field(description="best first")


class ErrorResponse(BaseModel):
    detail: Any


class State:
    def __init__(self) -> None:
        self.reason: str | None = NOT_WARMED_UP
        self.encoder: ranking.Encoder | None = None


def warm_up(settings: Settings, loader: ranking.Loader, state: State) -> None:
    """Load the model and rank the probe; never raises."""
    try:
        encoder = loader(settings.model_path or default_model_path(), settings.device)
        ranking.self_check(encoder)
    except Exception as exc:  # noqa: BLE001 (any failure degrades, none crashes)
        state.reason = f"warm-up failed: {type(exc).__name__}: {exc}"
        logger.error("reranker degraded: %s", state.reason, exc_info=True)
        return
    state.encoder, state.reason = encoder, None
    logger.info("reranker ready on %s", settings.device)


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body, or 413 once it is longer than `limit` (whatever the framing)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        status = 413 if declared.isdigit() else 400
        raise HTTPException(
            status_code=status, detail=f"the body is over {limit} bytes"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                status_code=413, detail=f"the body is over {limit} bytes"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse(body: bytes, settings: Settings) -> RerankRequest:
    try:
        request = RerankRequest.model_validate_json(body)
    except ValidationError as exc:
        raise HTTPException(
            status_code=422, detail=exc.errors(include_url=False, include_input=False)
        ) from None
    if len(request.documents) > settings.max_documents:
        raise HTTPException(
            status_code=422,
            detail=(
                f"at most {settings.max_documents} documents, "
                f"got {len(request.documents)}"
            ),
        )
    for where, text in [("query", request.query)] + [
        (f"documents[{i}]", d) for i, d in enumerate(request.documents)
    ]:
        if not text.strip():
            raise HTTPException(status_code=422, detail=f"{where} is empty")
        if len(text) > settings.max_text_length:
            raise HTTPException(
                status_code=422,
                detail=(
                    f"{where} has {len(text)} characters, "
                    f"over {settings.max_text_length}"
                ),
            )
    return request


def create_app(
    settings: Settings | None = None, loader: ranking.Loader = ranking.load_encoder
) -> FastAPI:
    settings = settings or load_settings()
    state = State()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(warm_up, settings, loader, state)
        yield

    app = FastAPI(
        title=settings.service_name,
        summary="Reranking: BM25 and all-MiniLM-L6-v2 on torch 2.5.1 (CUDA 12.4).",
        lifespan=lifespan,
    )

    @app.get(
        "/health",
        response_model=HealthResponse,
        responses={503: {"model": HealthResponse, "description": "Degraded"}},
    )
    async def health() -> JSONResponse:
        body = HealthResponse(
            status="ok" if state.reason is None else "degraded",
            service=settings.service_name,
            timestamp=datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            checks={"ranking": "ok" if state.reason is None else state.reason},
        )
        return JSONResponse(
            body.model_dump(), status_code=200 if state.reason is None else 503
        )

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": text}
        for code, text in (
            (400, "Invalid Content-Length"),
            (413, "Body over the size the limits imply"),
            (422, "Malformed JSON, empty or over-long texts, too many documents"),
            (503, "The service is degraded, or ranking failed"),
        )
    }

    @app.post(
        "/rerank",
        response_model=RerankResponse,
        responses=errors,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": RerankRequest.model_json_schema()}
                },
            }
        },
    )
    async def rerank(request: Request) -> RerankResponse:
        encoder = state.encoder
        if state.reason is not None or encoder is None:
            raise HTTPException(
                status_code=503, detail=f"reranker degraded: {state.reason}"
            )
        parsed = parse(await read_bounded(request, settings.max_body_bytes), settings)
        try:
            ranked = await run_in_threadpool(
                ranking.rank,
                encoder,
                parsed.query,
                parsed.documents,
                settings.lexical_weight,
            )
        except Exception as exc:  # noqa: BLE001 (report, do not 500)
            logger.exception("ranking %d documents failed", len(parsed.documents))
            raise HTTPException(
                status_code=503, detail=f"ranking failed: {type(exc).__name__}"
            ) from exc
        return RerankResponse(results=[RankedDocument(**r.__dict__) for r in ranked])

    return app


app = create_app()
