"""The GPU gate on the machine running it (tagged ``gpu``: excluded by default).

It fails, saying so, where there is no GPU: a GPU check that skips itself on a
CPU machine would pass everywhere and prove nothing.
"""

from __future__ import annotations

import unittest

from gates.private.gpu_gate import check


class GpuGateTest(unittest.TestCase):
    def test_stack_computes_on_cuda(self) -> None:
        problems = check("cuda")
        self.assertEqual(problems, [], "\n".join(problems))


if __name__ == "__main__":
    unittest.main()
