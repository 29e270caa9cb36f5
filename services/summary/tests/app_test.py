"""The summary service through FastAPI's TestClient: answers, bounds, health."""

from __future__ import annotations

import unittest
from unittest import mock

from fastapi.testclient import TestClient
from summary import main


class SummaryTest(unittest.TestCase):
    def setUp(self) -> None:
        self.client = TestClient(main.app)

    def test_a_known_answer(self) -> None:
        got = self.client.post("/summary", json={"values": [1, 2, 3.5]})
        self.assertEqual(got.status_code, 200, got.text)
        body = got.json()
        self.assertEqual((body["count"], body["median"], body["max"]), (3, 2.0, 3.5))
        self.assertAlmostEqual(body["mean"], 6.5 / 3)

    def test_one_value(self) -> None:
        body = self.client.post("/summary", json={"values": [7]}).json()
        self.assertEqual((body["std"], body["p25"], body["p75"]), (0.0, 7.0, 7.0))

    def test_bad_input_is_422(self) -> None:
        for bad in ({"values": []}, {"values": "x"}, {"values": ["a"]}, {}):
            self.assertEqual(self.client.post("/summary", json=bad).status_code, 422)
        nan = self.client.post(
            "/summary",
            content=b'{"values": [1, NaN]}',
            headers={"content-type": "application/json"},
        )
        self.assertEqual(nan.status_code, 422)
        self.assertEqual(nan.json()["detail"][0]["type"], "finite_number")

    def test_too_many_values_is_422(self) -> None:
        values = [1.0] * (main.MAX_VALUES + 1)
        self.assertEqual(
            self.client.post("/summary", json={"values": values}).status_code, 422
        )

    def test_a_body_over_the_limit_is_413_before_it_is_read(self) -> None:
        big = b"[" + b"1," * main.MAX_BODY_BYTES + b"1]"
        got = self.client.post(
            "/summary", content=big, headers={"content-type": "application/json"}
        )
        self.assertEqual(got.status_code, 413)

    def test_health_and_a_degraded_warm_up(self) -> None:
        self.assertEqual(self.client.get("/health").json()["status"], "ok")
        with mock.patch.object(main.app.state, "reason", "warm-up gave a wrong answer"):
            got = self.client.get("/health")
            self.assertEqual(got.status_code, 503)
            self.assertIn("wrong answer", got.json()["checks"]["summary"])
            self.assertEqual(
                self.client.post("/summary", json={"values": [1]}).status_code, 503
            )

    def test_the_warm_up_catches_a_wrong_answer(self) -> None:
        wrong = main.Summary(
            count=4, mean=0, std=0, min=0, p25=0, median=0, p75=0, max=0
        )
        with mock.patch.object(main, "summarize", return_value=wrong):
            self.assertIn("wrong answer", main.warm_up() or "")


if __name__ == "__main__":
    unittest.main()
