"""The imagestats service through FastAPI's TestClient: /health, /stats, bad input."""

from __future__ import annotations

import io
import struct
import unittest
import zlib
from collections.abc import Iterator
from unittest import mock

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image

from imagestats import analysis
from imagestats.config import ConfigError, Settings, load_settings
from imagestats.main import create_app


def png(pixels: np.ndarray, mode: str) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels, mode=mode).save(out, format="PNG")
    return out.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature, an IHDR declaring width x height (8-bit gray) and
    IEND: what Pillow reads to learn the size, with no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    rng = np.random.default_rng(0)
    out = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(
        out, format="JPEG"
    )
    return out.getvalue()


class ServiceTest(unittest.TestCase):
    def client(self, settings: Settings | None = None) -> TestClient:
        client = TestClient(create_app(settings or Settings()))
        client.__enter__()  # runs the lifespan (the warm-up)
        self.addCleanup(client.__exit__, None, None, None)
        return client

    def test_health_is_ok_after_the_warm_up(self) -> None:
        response = self.client().get("/health")
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["status"], "ok")
        self.assertEqual(body["checks"], {"analysis": "ok"})

    def test_stats_of_the_probe_image(self) -> None:
        response = self.client().post(
            "/stats",
            content=analysis.probe_image(),
            headers={"Content-Type": "image/png"},
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual((body["width"], body["height"], body["mode"]), (64, 64, "L"))
        self.assertEqual(body["regions_above_threshold"], 2)
        self.assertAlmostEqual(body["channels"]["L"]["mean"], 51.25)
        self.assertEqual(body["channels"]["L"]["max"], 220)

    def test_jpeg_rgb(self) -> None:
        response = self.client().post(
            "/stats", content=jpeg(48, 32), headers={"Content-Type": "image/jpeg"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(sorted(body["channels"]), ["B", "G", "R"])
        self.assertEqual((body["width"], body["height"]), (48, 32))

    def test_constant_image_has_finite_statistics(self) -> None:
        pixels = np.full((8, 8), 7, dtype=np.uint8)
        response = self.client().post(
            "/stats", content=png(pixels, "L"), headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["skewness"], 0.0)

    def test_wrong_content_type_is_415(self) -> None:
        response = self.client().post(
            "/stats", content=b"{}", headers={"Content-Type": "application/json"}
        )
        self.assertEqual(response.status_code, 415, response.text)

    def test_not_an_image_is_422(self) -> None:
        response = self.client().post(
            "/stats", content=b"not a png", headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("not a decodable PNG", response.json()["detail"])

    def test_a_jpeg_sent_as_png_is_422(self) -> None:
        response = self.client().post(
            "/stats", content=jpeg(8, 8), headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 422, response.text)

    def test_body_over_the_limit_is_413(self) -> None:
        client = self.client(Settings(max_image_bytes=1000))
        response = client.post(
            "/stats", content=b"\0" * 1001, headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 413, response.text)

    def test_chunked_body_over_the_limit_is_413(self) -> None:
        client = self.client(Settings(max_image_bytes=1000))

        def chunks() -> Iterator[bytes]:
            for _ in range(50):
                yield b"\0" * 100

        response = client.post(
            "/stats", content=chunks(), headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 413, response.text)

    def test_too_many_pixels_is_413_before_decoding(self) -> None:
        client = self.client(Settings(max_pixels=100))
        pixels = np.zeros((20, 20), dtype=np.uint8)
        response = client.post(
            "/stats", content=png(pixels, "L"), headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 413, response.text)
        self.assertIn("20x20 is 400 pixels", response.json()["detail"])

    def test_a_16_bit_image_is_refused_not_clipped(self) -> None:
        """A 16-bit grayscale PNG (mode I;16) was converted to 8-bit RGB by
        clipping: 200 with a mean of 254 for data whose mean is near 32,768."""
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 65536, (16, 16), dtype=np.uint16)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, format="PNG")  # uint16: mode I;16
        with Image.open(io.BytesIO(out.getvalue())) as image:
            self.assertEqual(image.mode, "I;16")
        response = self.client().post(
            "/stats", content=out.getvalue(), headers={"Content-Type": "image/png"}
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("mode I;16", response.json()["detail"])

    def test_a_declared_decompression_bomb_is_413_with_our_limit(self) -> None:
        """A PNG declaring 20000x20000 got 422 from Pillow's own bomb check
        before our pixel limit was applied."""
        response = self.client().post(
            "/stats",
            content=png_header(20000, 20000),
            headers={"Content-Type": "image/png"},
        )
        self.assertEqual(response.status_code, 413, response.text)
        self.assertIn(str(Settings().max_pixels), response.json()["detail"])

    def test_error_bodies_name_no_python_object(self) -> None:
        for body in (b"not a png", png_header(10, 10)[:20]):
            with self.subTest(body=body):
                response = self.client().post(
                    "/stats", content=body, headers={"Content-Type": "image/png"}
                )
                self.assertEqual(response.status_code, 422, response.text)
                self.assertNotIn("object at 0x", response.text)

    def test_failed_warm_up_degrades_with_the_reason(self) -> None:
        with mock.patch.object(
            analysis, "self_check", side_effect=AssertionError("sph_legendre_p is off")
        ):
            client = self.client()
        health = client.get("/health")
        self.assertEqual(health.status_code, 503)
        self.assertEqual(health.json()["status"], "degraded")
        self.assertIn("sph_legendre_p is off", health.json()["checks"]["analysis"])
        stats = client.post(
            "/stats",
            content=analysis.probe_image(),
            headers={"Content-Type": "image/png"},
        )
        self.assertEqual(stats.status_code, 503)

    def test_every_status_is_in_the_openapi_document(self) -> None:
        spec = self.client().get("/openapi.json").json()
        codes = set(spec["paths"]["/stats"]["post"]["responses"])
        self.assertLessEqual({"200", "400", "413", "415", "422", "503"}, codes)
        body = spec["paths"]["/stats"]["post"]["requestBody"]["content"]
        self.assertEqual(sorted(body), ["image/jpeg", "image/png"])


class SettingsTest(unittest.TestCase):
    def test_defaults(self) -> None:
        self.assertEqual(load_settings({}), Settings())

    def test_bounds(self) -> None:
        for value in ("0", "-1", "abc", "9" * 20, str(10**12)):
            with self.subTest(value=value), self.assertRaises(ConfigError):
                load_settings({"IMAGESTATS_MAX_IMAGE_BYTES": value})


if __name__ == "__main__":
    unittest.main()
