"""GPU gate: the stack actually computes on a CUDA device.

    python3 -m gpu_gate [--device cuda]

1. ``torch.cuda.is_available()`` (fails, saying so, on a machine without a GPU:
   this gate is for GPU machines only and must not pass anywhere else);
2. a float32 matmul on the device matches the same matmul on the CPU;
3. a bitsandbytes ``Linear8bitLt`` (int8 weights) forward on the device matches
   the float16 layer it was quantised from;
4. the embedding gate with the model on the device.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from gates.private import embedding_gate
from gates.private.reporting import report

MATMUL_SIZE = 512
INT8_RELATIVE_ERROR = 0.05
"""Int8 vector-wise quantisation of N(0, 1) weights is off by about 1%."""


def check_cuda_available() -> list[str]:
    import torch

    if torch.cuda.is_available():
        return []
    return [
        "no CUDA GPU visible: torch.cuda.is_available() is False "
        f"(torch {torch.__version__}, built for CUDA {torch.version.cuda}, "
        f"device_count={torch.cuda.device_count()}, "
        f"CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES')!r}); this gate "
        "only passes on a machine with an NVIDIA GPU and driver (tag gpu; in a "
        "container, pass the GPU in), it is not skipped elsewhere on purpose"
    ]


def check_matmul(device: str = "cuda", size: int = MATMUL_SIZE) -> list[str]:
    """A float32 matmul on ``device`` against the CPU result (TF32 off)."""
    import torch

    generator = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=generator)
    b = torch.randn(size, size, generator=generator)
    expected = a @ b
    tf32 = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    try:
        got = (a.to(device) @ b.to(device)).cpu()
    finally:
        torch.backends.cuda.matmul.allow_tf32 = tf32
    if not torch.isfinite(got).all():
        return [f"matmul on {device} returned non-finite values"]
    if not torch.allclose(got, expected, rtol=1e-4, atol=1e-3):
        diff = (got - expected).abs().max().item()
        return [
            f"a {size}x{size} float32 matmul on {device} differs from the CPU result "
            f"by up to {diff:.3g}: the GPU, its driver or torch's CUDA libraries "
            "compute wrongly"
        ]
    return []


def check_linear8bit(device: str = "cuda") -> list[str]:
    """A ``Linear8bitLt`` forward on ``device`` against its float16 original."""
    import bitsandbytes as bnb
    import torch

    torch.manual_seed(0)
    reference = torch.nn.Linear(256, 128, bias=True).half()
    int8 = bnb.nn.Linear8bitLt(
        256, 128, bias=True, has_fp16_weights=False, threshold=6.0
    )
    int8.load_state_dict(reference.state_dict())
    int8 = int8.to(device)  # quantises the weights
    reference = reference.to(device)
    if int8.weight.dtype != torch.int8:
        return [
            f"Linear8bitLt weights are {int8.weight.dtype} on {device}, expected "
            "torch.int8: bitsandbytes did not quantise (is its CUDA library loaded?)"
        ]
    x = torch.randn(16, 256, dtype=torch.float16, device=device)
    with torch.no_grad():
        got = int8(x).float()
        expected = reference(x).float()
    if got.shape != expected.shape or not torch.isfinite(got).all():
        return [
            f"Linear8bitLt forward on {device} returned shape {tuple(got.shape)} "
            f"(expected {tuple(expected.shape)}) or non-finite values"
        ]
    error = ((got - expected).norm() / expected.norm()).item()
    if error > INT8_RELATIVE_ERROR:
        return [
            f"Linear8bitLt forward on {device} is off by {error:.1%} (relative) from "
            f"the float16 layer, more than {INT8_RELATIVE_ERROR:.0%}: bitsandbytes' "
            "int8 kernels compute wrongly on this GPU"
        ]
    return []


def _guarded(name: str, step: Callable[[], list[str]]) -> list[str]:
    try:
        return step()
    except Exception as exc:  # noqa: BLE001 (a crash is a finding, with its reason)
        return [f"{name} failed: {type(exc).__name__}: {exc}"]


def check(device: str = "cuda") -> list[str]:
    """The whole GPU gate; ``[]`` means pass. Stops at the first missing piece."""
    problems = _guarded("checking for a GPU", check_cuda_available)
    if problems:
        return problems
    problems += _guarded(f"the matmul on {device}", lambda: check_matmul(device))
    problems += _guarded(
        f"the Linear8bitLt forward on {device}", lambda: check_linear8bit(device)
    )
    problems += embedding_gate.check(device=device)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gpu_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args(argv)
    return report(
        "gpu gate",
        check(args.device),
        f"matmul, Linear8bitLt and embeddings on {args.device}",
    )


if __name__ == "__main__":
    sys.exit(main())
