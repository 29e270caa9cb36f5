"""Gate: the scientific / vision stack imports and computes on its NumPy.

    python3 -m gates.private.science_gate [--lock requirements_lock.txt]

For each package below, against the interpreter running it: it imports, its
version is the one the stack's lock pins (``--lock`` or ``REQUIREMENTS_LOCK``;
a lock that lacks one of them fails, naming it), and it
computes a known answer on the installed NumPy:

- scipy: ``scipy.special.sph_legendre_p`` (new in SciPy 1.15; the ufuncs that
  failed at run time when a SciPy built for NumPy 1.x met NumPy 2.x), as a
  broadcasting ufunc over arrays, against the closed forms of degree <= 2;
- pandas: a groupby mean and a rolling mean, and the NumPy array they give back;
- opencv-python-headless: a Gaussian blur keeps an impulse's mass, and a PNG
  encoded and decoded in memory comes back unchanged;
- scikit-image: Otsu's threshold falls between two modes, and labelling finds
  the two blobs drawn;
- pillow: an array round-trips through an Image.

Each check runs on its own: one broken package fails with its own reason and
does not hide the others. Only this stack's packages, NumPy and the standard
library are imported.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from gates.private import stack
from gates.private.reporting import report
from rules_common.cli import UserError

Check = Callable[[Any], list[str]]


def _close(got: Any, want: Any, what: str) -> list[str]:
    import numpy as np

    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-10, atol=1e-12):
        return [f"{what} computed {got.tolist()}, expected {want.tolist()}"]
    return []


def check_scipy(scipy: Any) -> list[str]:
    import numpy as np

    special = importlib.import_module("scipy.special")
    if not hasattr(special, "sph_legendre_p"):
        return [
            f"scipy {scipy.__version__} has no scipy.special.sph_legendre_p "
            "(it is new in SciPy 1.15): pin scipy>=1.15"
        ]
    theta = np.linspace(0.1, 3.0, 5)
    c, s, pi = np.cos(theta), np.sin(theta), math.pi
    closed = {
        (0, 0): np.full_like(theta, 1 / (2 * math.sqrt(pi))),
        (1, 0): math.sqrt(3 / (4 * pi)) * c,
        (1, 1): -math.sqrt(3 / (8 * pi)) * s,
        (2, 0): math.sqrt(5 / (16 * pi)) * (3 * c**2 - 1),
        (2, 1): -math.sqrt(15 / (8 * pi)) * s * c,
    }
    problems: list[str] = []
    for (n, m), want in closed.items():
        # Shape (diff_n + 1, ...): the values, then any derivatives.
        got = special.sph_legendre_p(n, m, theta)[0]
        problems += _close(got, want, f"scipy.special.sph_legendre_p({n}, {m}, theta)")
    # As a ufunc: degrees broadcast against angles.
    grid = special.sph_legendre_p(np.array([[1], [2]]), 0, theta)[0]
    problems += _close(
        grid,
        np.stack([closed[(1, 0)], closed[(2, 0)]]),
        "scipy.special.sph_legendre_p broadcast over degrees",
    )
    return problems


def check_pandas(pandas: Any) -> list[str]:
    import numpy as np

    frame = pandas.DataFrame({"k": ["a", "b", "a", "b"], "v": [1.0, 2.0, 3.0, 6.0]})
    problems = _close(
        frame.groupby("k")["v"].mean().to_numpy(), [2.0, 4.0], "pandas groupby mean"
    )
    rolled = pandas.Series(np.arange(5, dtype=np.float64)).rolling(3).mean()
    problems += _close(rolled.to_numpy()[2:], [1.0, 2.0, 3.0], "pandas rolling mean")
    back = frame[["v"]].to_numpy()
    if not isinstance(back, np.ndarray) or back.dtype != np.float64:
        problems.append(f"pandas gave back {type(back).__name__} {back.dtype}")
    return problems


def check_cv2(cv2: Any) -> list[str]:
    import numpy as np

    impulse = np.zeros((9, 9), dtype=np.float64)
    impulse[4, 4] = 1.0
    blurred = cv2.GaussianBlur(impulse, (5, 5), 1.0)
    problems = _close(blurred.sum(), 1.0, "cv2.GaussianBlur's total mass")
    if not blurred[4, 4] < 1.0 or not blurred[4, 3] > 0.0:
        problems.append("cv2.GaussianBlur did not spread the impulse")
    image = (np.arange(64 * 48 * 3) % 251).astype(np.uint8).reshape(48, 64, 3)
    ok, encoded = cv2.imencode(".png", image)
    decoded = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED) if ok else None
    if decoded is None or not np.array_equal(decoded, image):
        problems.append("cv2.imencode/imdecode did not round-trip a PNG")
    return problems


def check_skimage(skimage: Any) -> list[str]:
    import numpy as np

    filters = importlib.import_module("skimage.filters")
    measure = importlib.import_module("skimage.measure")
    image = np.full((32, 32), 30, dtype=np.uint8)
    image[4:12, 4:12] = 200
    image[20:28, 18:30] = 200
    threshold = float(filters.threshold_otsu(image))
    problems: list[str] = []
    if not 30 <= threshold < 200:
        problems.append(f"skimage Otsu threshold {threshold} is not between the modes")
    count = int(measure.label(image > threshold).max())
    if count != 2:
        problems.append(f"skimage.measure.label found {count} blobs, expected 2")
    return problems


def check_pillow(pil: Any) -> list[str]:
    import numpy as np

    image_module = importlib.import_module("PIL.Image")
    array = (np.arange(12 * 10) % 256).astype(np.uint8).reshape(10, 12)
    back = np.asarray(image_module.fromarray(array))
    if back.shape != array.shape or not np.array_equal(back, array):
        return ["PIL.Image.fromarray/np.asarray did not round-trip an array"]
    return []


CHECKS: dict[str, tuple[str, Check]] = {
    "scipy": ("scipy", check_scipy),
    "pandas": ("pandas", check_pandas),
    "opencv-python-headless": ("cv2", check_cv2),
    "scikit-image": ("skimage", check_skimage),
    "pillow": ("PIL", check_pillow),
}
"""Distribution -> (module, check)."""

VERSION_PARTS = {"opencv-python-headless": 3}
"""Distributions whose ``__version__`` is only the first parts of the pin
(opencv-python-headless 5.0.0.93 is cv2 5.0.0)."""


def version_matches(distribution: str, found: str, pin: str) -> bool:
    parts = VERSION_PARTS.get(distribution)
    return found == (".".join(pin.split(".")[:parts]) if parts else pin)


def check_one(distribution: str, pin: str) -> list[str]:
    module_name, check = CHECKS[distribution]
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 (a broken package is a finding)
        return [
            f"import {module_name} ({distribution}) failed: {type(exc).__name__}: {exc}"
        ]
    found = str(getattr(module, "__version__", "unknown"))
    if not version_matches(distribution, found, pin):
        return [
            f"{module_name} {found} is imported from "
            f"{os.path.dirname(getattr(module, '__file__', '') or '?')}, but the "
            f"lock pins {distribution}=={pin}"
        ]
    try:
        return check(module)
    except Exception as exc:  # noqa: BLE001
        return [f"{distribution}: computing failed: {type(exc).__name__}: {exc}"]


def check(lock_path: str | None = None) -> list[str]:
    """The gate on the running interpreter; ``[]`` means pass.

    Every package of ``CHECKS`` must be pinned: a stack instantiates this gate
    because it is that stack (StackError names the pin that is missing).
    """
    locked = stack.load(lock_path)
    pins = {name: locked.version(name) for name in CHECKS}
    problems: list[str] = []
    for name, pin in pins.items():
        problems += check_one(name, pin)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.science_gate", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--lock", default=os.environ.get(stack.LOCK_ENV) or None)
    args = parser.parse_args(argv)
    try:
        problems = check(args.lock)
    except UserError as e:  # the lock is missing, unreadable or lacks a pin
        return report("science gate", [str(e)])
    locked = stack.load(args.lock)
    done = ", ".join(f"{n} {locked.version(n)}" for n in CHECKS)
    return report("science gate", problems, f"{done} compute on the locked NumPy")


if __name__ == "__main__":
    sys.exit(main())
