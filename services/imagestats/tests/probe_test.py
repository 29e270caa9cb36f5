"""imagestats/probe.py: the service's answer judged, good and broken."""

from __future__ import annotations

import unittest
from typing import Any

from imagestats.probe import evaluate_stats, probe_image


def stats_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "width": 64,
        "height": 64,
        "mode": "L",
        "regions_above_threshold": 2,
        "channels": {"L": {"min": 20, "max": 220}},
        "entropy_bits": 0.6,
        "edge_fraction": 0.03,
        "sharpness": 2968.75,
        "skewness": 1.9,
    }
    body.update(changes)
    return body


class EvaluateStatsTest(unittest.TestCase):
    def test_the_right_answer_passes(self) -> None:
        self.assertEqual(evaluate_stats(200, stats_body()), [])

    def test_wrong_answers_fail(self) -> None:
        problems = evaluate_stats(
            200, stats_body(regions_above_threshold=1, sharpness=None)
        )
        self.assertEqual(len(problems), 2, problems)
        self.assertIn("regions_above_threshold=1, expected 2", problems[0])
        self.assertIn("sharpness=None, not a finite number", problems[1])

    def test_a_wrong_channel_range(self) -> None:
        body = stats_body(channels={"L": {"min": 0, "max": 255}})
        (problem,) = evaluate_stats(200, body)
        self.assertIn("expected min 20, max 220", problem)

    def test_a_service_without_stats(self) -> None:
        (problem,) = evaluate_stats(404, {"detail": "Not Found"})
        self.assertIn("POST /stats answered 404", problem)

    def test_the_probe_image_is_a_png_of_the_promised_size(self) -> None:
        data = probe_image()
        self.assertEqual(data[:8], b"\x89PNG\r\n\x1a\n")
        self.assertEqual(data[16:24], (64).to_bytes(4, "big") * 2)


if __name__ == "__main__":
    unittest.main()
