"""The imagestats service: ``GET /health`` and ``POST /stats``.

The warm-up (``analysis.self_check``) runs in the lifespan. A failure does not
stop the service: ``/health`` answers 503 with the reason and ``/stats``
refuses with 503, so an orchestrator sees a degraded service, not a crash loop.

``POST /stats`` takes the image itself as the body (``image/png`` or
``image/jpeg``). The body is read in chunks and refused with 413 as soon as it
passes the byte limit (a Content-Length over it is refused before reading);
the image's size is checked against the pixel limit before it is decoded.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations.
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from imagestats import analysis
from imagestats.config import Settings, load_settings

logger = logging.getLogger("uvicorn.error").getChild("imagestats")

NOT_WARMED_UP = "analysis not checked yet (warm-up has not run)"


@dataclass
class Status:
    reason: str | None = NOT_WARMED_UP


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded"]
    service: str
    timestamp: str = Field(description="ISO 8601, UTC")
    checks: dict[str, str] = Field(description='"ok" or the reason a check failed')


class ChannelStats(BaseModel):
    mean: float
    std: float
    min: int
    max: int
    median: float


class StatsResponse(BaseModel):
    width: int
    height: int
    format: str
    mode: str
    channels: dict[str, ChannelStats]
    entropy_bits: float
    otsu_threshold: float
    regions_above_threshold: int
    edge_fraction: float
    sharpness: float = Field(description="variance of the Laplacian")
    skewness: float
    kurtosis: float


class ErrorResponse(BaseModel):
    detail: str


def warm_up() -> Status:
    """Run the self-check; never raises."""
    try:
        analysis.self_check()
    except Exception as exc:  # noqa: BLE001 (any failure degrades, none crashes)
        reason = f"warm-up failed: {type(exc).__name__}: {exc}"
        logger.error("imagestats degraded: %s", reason, exc_info=True)
        return Status(reason)
    logger.info("imagestats ready: analysis self-check passed")
    return Status(None)


async def read_bounded(request: Request, limit: int) -> bytes:
    """The body, or 413 once it is longer than `limit` (whatever the framing)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPException(status_code=400, detail="invalid Content-Length")
        if int(declared) > limit:
            raise HTTPException(
                status_code=413, detail=f"the body is over the {limit}-byte limit"
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(
                status_code=413, detail=f"the body is over the {limit}-byte limit"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings()
    status = Status()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        status.reason = (await run_in_threadpool(warm_up)).reason
        yield

    app = FastAPI(
        title=settings.service_name,
        summary="Image statistics on NumPy 2.x: OpenCV, scikit-image, SciPy, pandas.",
        lifespan=lifespan,
    )
    app.state.status = status

    @app.get(
        "/health",
        response_model=HealthResponse,
        responses={503: {"model": HealthResponse, "description": "Degraded"}},
    )
    async def health() -> JSONResponse:
        # On the event loop: never behind the analysis threads.
        body = HealthResponse(
            status="ok" if status.reason is None else "degraded",
            service=settings.service_name,
            timestamp=datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            checks={"analysis": "ok" if status.reason is None else status.reason},
        )
        return JSONResponse(
            body.model_dump(), status_code=200 if status.reason is None else 503
        )

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorResponse, "description": text}
        for code, text in (
            (400, "Invalid Content-Length"),
            (413, "Body over the byte limit, or image over the pixel limit"),
            (415, "Content-Type is not image/png or image/jpeg"),
            (422, "Not a decodable image of its Content-Type"),
            (503, "The service is degraded, or the analysis failed"),
        )
    }

    @app.post(
        "/stats",
        response_model=StatsResponse,
        responses=errors,
        openapi_extra={
            "requestBody": {
                "required": True,
                "description": (
                    f"The image, at most {settings.max_image_bytes} bytes and "
                    f"{settings.max_pixels} pixels"
                ),
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in analysis.FORMATS
                },
            }
        },
    )
    async def stats(request: Request) -> StatsResponse:
        if status.reason is not None:
            raise HTTPException(
                status_code=503, detail=f"imagestats degraded: {status.reason}"
            )
        content_type = request.headers.get("content-type", "").split(";")[0].strip()
        if content_type not in analysis.FORMATS:
            raise HTTPException(
                status_code=415,
                detail=f"Content-Type must be one of {', '.join(analysis.FORMATS)}",
            )
        body = await read_bounded(request, settings.max_image_bytes)
        try:
            decoded = await run_in_threadpool(
                analysis.decode, body, content_type, settings.max_pixels
            )
            result = await run_in_threadpool(analysis.statistics, decoded)
        except analysis.ImageRejected as exc:
            raise HTTPException(status_code=exc.status, detail=str(exc)) from exc
        except Exception as exc:  # noqa: BLE001 (report, do not 500)
            logger.exception("analysing a %d-byte image failed", len(body))
            raise HTTPException(
                status_code=503, detail=f"analysis failed: {type(exc).__name__}"
            ) from exc
        return StatsResponse.model_validate(result)

    return app


app = create_app()
