"""Summary statistics of a list of numbers (pandas and NumPy 2.x).

    POST /summary {"values": [1, 2, 3.5]}
    -> {"count": 3, "mean": 2.1666..., "std": 1.2583..., "min": 1.0,
        "p25": 1.5, "median": 2.0, "p75": 2.75, "max": 3.5}

At most MAX_VALUES finite numbers (more, none, or a NaN/infinity: 422, before
any work). The body is bounded before it is parsed (413). /health answers 503
with the reason when the warm-up's known answer comes out wrong.
"""

from __future__ import annotations

import math
from typing import Annotated

import numpy
import pandas
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

MAX_VALUES = 10_000
# A JSON number of at most 32 characters, a comma and spaces: what MAX_VALUES
# values can take; a longer body is refused before it is read.
MAX_BODY_BYTES = MAX_VALUES * 40 + 1024

Finite = Annotated[float, Field(allow_inf_nan=False)]


class Values(BaseModel):
    values: list[Finite] = Field(min_length=1, max_length=MAX_VALUES)


class Summary(BaseModel):
    count: int
    mean: float
    std: float
    min: float
    p25: float
    median: float
    p75: float
    max: float


def summarize(values: list[float]) -> Summary:
    series = pandas.Series(numpy.asarray(values, dtype=numpy.float64))
    q = series.quantile([0.25, 0.5, 0.75])
    std = float(series.std(ddof=1)) if len(series) > 1 else 0.0
    return Summary(
        count=int(series.count()),
        mean=float(series.mean()),
        std=std,
        min=float(series.min()),
        p25=float(q[0.25]),
        median=float(q[0.5]),
        p75=float(q[0.75]),
        max=float(series.max()),
    )


def warm_up() -> str | None:
    """None when a known answer comes out right, else the reason."""
    try:
        got = summarize([1.0, 2.0, 3.0, 4.0])
    except Exception as exc:  # noqa: BLE001 - reported on /health, not raised
        return f"warm-up failed: {type(exc).__name__}"
    if (got.mean, got.median, got.p25) != (2.5, 2.5, 1.75) or not math.isclose(
        got.std, 1.2909944487358056
    ):
        return f"warm-up gave a wrong answer: {got.model_dump()}"
    return None


app = FastAPI(title="summary")
app.state.reason = warm_up()


@app.middleware("http")
async def bounded_body(request: Request, call_next):  # type: ignore[no-untyped-def]
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
        return JSONResponse(
            {"detail": f"the body is over the {MAX_BODY_BYTES}-byte limit"},
            status_code=413,
        )
    if length is None and request.method == "POST":
        return JSONResponse({"detail": "a Content-Length is required"}, status_code=411)
    return await call_next(request)


@app.exception_handler(RequestValidationError)
async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
    # Where and why, never the input back: a NaN in it would not even encode.
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
        for e in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=422)


@app.get("/health")
def health() -> JSONResponse:
    reason = app.state.reason
    return JSONResponse(
        {
            "status": "ok" if reason is None else "degraded",
            "checks": {"summary": "ok" if reason is None else reason},
        },
        status_code=200 if reason is None else 503,
    )


@app.post("/summary", response_model=Summary)
def summary(body: Values) -> Summary | JSONResponse:
    if app.state.reason is not None:
        return JSONResponse({"detail": app.state.reason}, status_code=503)
    return summarize(body.values)
