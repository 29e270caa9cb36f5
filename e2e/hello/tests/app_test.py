"""hello's handlers, called as FastAPI calls them."""

from __future__ import annotations

import unittest

from hello.main import Numbers, health, total
from pydantic import ValidationError


class AppTest(unittest.TestCase):
    def test_sum(self) -> None:
        self.assertEqual(total(Numbers(values=[1, 2])), {"sum": 3.0})

    def test_bad_input_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            Numbers(values="x")  # type: ignore[arg-type]
        with self.assertRaises(ValidationError):
            Numbers(values=[0.0] * 1001)

    def test_health(self) -> None:
        self.assertEqual(health()["status"], "ok")


if __name__ == "__main__":
    unittest.main()
