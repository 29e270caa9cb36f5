"""The work: statistics of one image, computed with the NumPy 2.x stack.

Pillow decodes (after the size is checked against the pixel limit), NumPy
holds the pixels, pandas summarises each channel, OpenCV measures edges and
sharpness, scikit-image the entropy and Otsu threshold, SciPy the intensity
distribution's shape and the connected regions above the threshold.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import pandas as pd
import scipy.ndimage
import scipy.special
import scipy.stats
import skimage.filters
import skimage.measure
from PIL import Image, UnidentifiedImageError

FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
"""Accepted Content-Types and the only Pillow decoder each may use."""


class ImageRejected(ValueError):
    """The body is not an image this service takes; ``status`` says how."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Decoded:
    pixels: np.ndarray
    """uint8, (height, width, channels)."""
    mode: str
    format: str


# Pillow modes whose samples are 8 bits: converted to L, RGB or RGBA without
# losing a level. Any other (16-bit "I;16*", 32-bit "I" and "F") would be
# clipped to 255 by the conversion: a wrong answer with a 200, so refused.
EIGHT_BIT_MODES = frozenset(
    {
        "1",
        "L",
        "LA",
        "La",
        "P",
        "PA",
        "RGB",
        "RGBA",
        "RGBa",
        "RGBX",
        "CMYK",
        "YCbCr",
        "LAB",
        "HSV",
    }
)


def decode(data: bytes, content_type: str, max_pixels: int) -> Decoded:
    """The image's pixels, or ImageRejected (415, 413 or 422)."""
    fmt = FORMATS.get(content_type)
    if fmt is None:
        raise ImageRejected(
            f"Content-Type {content_type!r} is not one of {', '.join(FORMATS)}", 415
        )
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise ImageRejected(
                    f"{width}x{height} is {width * height} pixels; the limit is "
                    f"{max_pixels}",
                    413,
                )
            if image.mode not in EIGHT_BIT_MODES:
                raise ImageRejected(
                    f"a {fmt} image of mode {image.mode} (more than 8 bits a sample) "
                    "is not analysed: its values would be clipped to 0..255; send "
                    "it converted to 8 bits",
                    422,
                )
            if image.mode not in ("L", "RGB"):
                image = image.convert("RGBA" if "A" in image.mode else "RGB")
            image.load()
            pixels = np.asarray(image, dtype=np.uint8)
            mode = image.mode
    except ImageRejected:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow refuses, while reading the header, a size over twice its own
        # limit: that is over ours too (ours is lower), so the same 413.
        raise ImageRejected(
            f"the image declares more pixels than the limit of {max_pixels} ({exc})",
            413,
        ) from exc
    except UnidentifiedImageError as exc:
        # Pillow's message names the stream object (`<_io.BytesIO object at
        # 0x...>`): nothing the client sent, so not repeated.
        raise ImageRejected(
            f"not a decodable {fmt} image: Pillow does not recognise it as {fmt}", 422
        ) from exc
    except (OSError, ValueError) as exc:
        raise ImageRejected(f"not a decodable {fmt} image: {exc}", 422) from exc
    if pixels.ndim == 2:
        pixels = pixels[:, :, np.newaxis]
    return Decoded(pixels, mode, fmt)


def _gray(pixels: np.ndarray) -> np.ndarray:
    if pixels.shape[2] == 1:
        return pixels[:, :, 0]
    return cv2.cvtColor(np.ascontiguousarray(pixels[:, :, :3]), cv2.COLOR_RGB2GRAY)


def _finite(value: float) -> float:
    """A JSON-safe float: NaN and infinities (a constant image's skewness) are 0."""
    return float(value) if math.isfinite(value) else 0.0


def statistics(decoded: Decoded) -> dict[str, Any]:
    """What POST /stats answers for one decoded image."""
    pixels = decoded.pixels
    height, width, channels = pixels.shape
    names = (
        list(decoded.mode)
        if len(decoded.mode) == channels
        else [f"c{i}" for i in range(channels)]
    )
    frame = pd.DataFrame(pixels.reshape(-1, channels), columns=names)
    summary = frame.describe().T
    per_channel = {
        name: {
            "mean": _finite(summary.loc[name, "mean"]),
            "std": _finite(summary.loc[name, "std"]),
            "min": int(summary.loc[name, "min"]),
            "max": int(summary.loc[name, "max"]),
            "median": _finite(summary.loc[name, "50%"]),
        }
        for name in names
    }
    gray = _gray(pixels)
    flat = gray.reshape(-1).astype(np.float64)
    constant = bool(flat.min() == flat.max())
    threshold = (
        float(gray[0, 0]) if constant else float(skimage.filters.threshold_otsu(gray))
    )
    _, regions = scipy.ndimage.label(gray > threshold)
    edges = cv2.Canny(gray, 100, 200)
    return {
        "width": int(width),
        "height": int(height),
        "format": decoded.format,
        "mode": decoded.mode,
        "channels": per_channel,
        "entropy_bits": _finite(skimage.measure.shannon_entropy(gray)),
        "otsu_threshold": threshold,
        "regions_above_threshold": int(regions),
        "edge_fraction": _finite(np.count_nonzero(edges) / edges.size),
        "sharpness": _finite(cv2.Laplacian(gray, cv2.CV_64F).var()),
        "skewness": 0.0 if constant else _finite(scipy.stats.skew(flat)),
        "kurtosis": 0.0 if constant else _finite(scipy.stats.kurtosis(flat)),
    }


def probe_image() -> bytes:
    """A PNG with known statistics: a dark field with two bright squares."""
    pixels = np.full((64, 64), 20, dtype=np.uint8)
    pixels[8:24, 8:24] = 220
    pixels[40:56, 36:60] = 220
    out = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(out, format="PNG")
    return out.getvalue()


def self_check() -> None:
    """The warm-up: the stack computes what it must, or AssertionError says what.

    SciPy's spherical Legendre functions (the ufuncs that broke when SciPy
    built for NumPy 1.x met NumPy 2.x) against their closed form, and the
    whole analysis on the probe image against its known answer.
    """
    theta = np.linspace(0.1, 3.0, 7)
    got = scipy.special.sph_legendre_p(1, 0, theta)[0]  # [0]: values, no derivatives
    want = math.sqrt(3 / (4 * math.pi)) * np.cos(theta)
    if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
        raise AssertionError(
            f"scipy.special.sph_legendre_p(1, 0, theta) = {got}, expected {want}"
        )
    stats = statistics(decode(probe_image(), "image/png", 64 * 64))
    expected = {"width": 64, "height": 64, "regions_above_threshold": 2}
    for key, value in expected.items():
        if stats[key] != value:
            raise AssertionError(
                f"probe image: {key} is {stats[key]}, expected {value}"
            )
    if not 20 <= stats["otsu_threshold"] < 220:
        raise AssertionError(
            f"probe image: Otsu threshold {stats['otsu_threshold']} is outside 20..220"
        )
    if not stats["edge_fraction"] > 0:
        raise AssertionError("probe image: OpenCV found no edges around the squares")
