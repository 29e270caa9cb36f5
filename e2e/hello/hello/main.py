"""A small service: /health, and /sum of a list of numbers (with NumPy)."""

from __future__ import annotations

import numpy
from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="hello")


class Numbers(BaseModel):
    values: list[float] = Field(max_length=1000)


@app.get("/health")
def health() -> dict[str, object]:
    return {"status": "ok", "checks": {"numpy": "ok"}, "numpy": numpy.__version__}


@app.post("/sum")
def total(numbers: Numbers) -> dict[str, float]:
    return {"sum": float(numpy.sum(numpy.asarray(numbers.values, dtype=float)))}
