"""In-image gates: the gates of //gates run with the image's own interpreter.

The image (IMAGE_LAYOUT) is unpacked once into a temporary root; each gate of
IMAGE_GATES (a JSON list of argument lists, e.g. ["torch_gate"],
["numpy_gate"], ["science_gate"]) then runs there as
`python3 -m gates.private.<gate>`, the installed distributions are listed
with importlib.metadata inside the image, the modules of IMAGE_IMPORTS load
no library from outside it, and the service is started with the image's own
entrypoint and passes the service gate with its probe (SERVICE_PROBE).
gates/private/image_gates.bzl sets these per image.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import unittest

from gates.private import library_origins, service_gate
from gates.private.image_under_test import (
    UnpackedImage,
    image_config,
    runfile,
    stack_version_problems,
)
from gates.private.installed import evaluate_installed

LIST_DISTRIBUTIONS = """
import importlib.metadata, json, sys
print(json.dumps(sorted(
    [d.metadata["Name"], d.version, str(d.locate_file(""))]
    for d in importlib.metadata.distributions()
)))
"""

MAPPED_LIBRARIES = """
import importlib, sys
for module in sys.argv[1].split(","):
    importlib.import_module(module)
from gates.private import library_origins
print("\\n".join(sorted(library_origins.own_libraries())))
"""

# What runs inside this image: from the test's environment (image_gates.bzl).
GATES: list[list[str]] = json.loads(os.environ.get("IMAGE_GATES") or "[]")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ImageRuntimeTest(unittest.TestCase):
    image: UnpackedImage
    config: dict[str, object]

    @classmethod
    def setUpClass(cls) -> None:
        layout = runfile("IMAGE_LAYOUT")
        cls.config = image_config(layout)
        with open(runfile("PYTHON_INFO"), encoding="utf-8") as f:
            cls.python = json.load(f)
        emulator = os.environ.get("IMAGE_EMULATOR")
        cls.image = UnpackedImage(
            layout,
            runfile("REQUIREMENTS_LOCK"),
            cls.python["interpreter"],
            emulator=os.path.abspath(emulator) if emulator else None,
        )
        with open(runfile("WHEELS_JSON"), encoding="utf-8") as f:
            cls.locked = {n: w["version"] for n, w in json.load(f)["wheels"].items()}

    @classmethod
    def tearDownClass(cls) -> None:
        cls.image.remove()

    def assert_gate_passes(self, gate: str, *args: str) -> None:
        result = self.image.run_python(["-m", f"gates.private.{gate}", *args])
        self.assertEqual(
            result.returncode,
            0,
            f"gates.private.{gate} failed inside the image:\n"
            f"{result.stdout}{result.stderr}",
        )

    def test_python_and_numpy_are_the_stacks(self) -> None:
        version = self.image.run_python(["--version"])
        numpy = self.image.run_python(["-c", "import numpy; print(numpy.__version__)"])
        problems = stack_version_problems(
            version, numpy, self.python["full_version"], self.locked["numpy"]
        )
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_interpreter_runs_as_the_images_cpu(self) -> None:
        # An arm64 image's Python says aarch64: it ran emulated, not the host's.
        machine = self.image.run_python(
            ["-c", "import platform; print(platform.machine())"]
        )
        self.assertEqual(machine.returncode, 0, machine.stderr)
        self.assertEqual(machine.stdout.strip(), self.python.get("machine", "x86_64"))

    def test_the_image_has_gates(self) -> None:
        self.assertTrue(GATES, "IMAGE_GATES names no gate: a gate that checks nothing")

    def test_each_locked_distribution_once_at_its_version(self) -> None:
        result = self.image.run_python(["-c", LIST_DISTRIBUTIONS])
        self.assertEqual(result.returncode, 0, result.stderr)
        problems = evaluate_installed(
            json.loads(result.stdout),
            self.locked,
            self.image.path("/" + self.python["site_packages"]),
        )
        self.assertEqual(problems, [], "\n".join(problems))

    def test_no_library_loaded_from_outside_the_image(self) -> None:
        imports = os.environ.get("IMAGE_IMPORTS") or ""
        self.assertTrue(imports, "IMAGE_IMPORTS names no module")
        result = self.image.run_python(["-c", MAPPED_LIBRARIES, imports])
        self.assertEqual(result.returncode, 0, result.stderr)
        problems = library_origins.outside(result.stdout.split(), [self.image.root])
        self.assertEqual(problems, [], "\n".join(problems))

    def test_service_from_the_image_entrypoint_serves_health(self) -> None:
        entrypoint = [str(a) for a in self.config["Entrypoint"]]  # type: ignore[union-attr]
        self.assertEqual(entrypoint[0], self.python["interpreter"])
        port = _free_port()
        args = entrypoint[1:]
        args[args.index("--host") + 1] = "127.0.0.1"
        args[args.index("--port") + 1] = str(port)
        env = dict(v.split("=", 1) for v in self.config["Env"])  # type: ignore[union-attr]
        env.pop("PATH", None)
        env.pop("HOME", None)
        env.pop("SSL_CERT_FILE", None)
        workdir = self.image.path(str(self.config["WorkingDir"]))
        with tempfile.TemporaryFile(mode="w+") as log:
            server = self.image.start_python(args, env=env, cwd=workdir, log=log)
            try:
                problems = service_gate.check(
                    f"http://127.0.0.1:{port}",
                    service_gate.load_probe(runfile("SERVICE_PROBE")),
                    timeout=300,
                )
            finally:
                server.terminate()
                server.wait(timeout=30)
            log.seek(0)
            self.assertEqual(
                problems, [], "service from the image failed:\n" + log.read()
            )


def _gate_test(argv: list[str]) -> object:
    def test(self: ImageRuntimeTest) -> None:
        self.assert_gate_passes(*argv)

    return test


for _argv in GATES:
    setattr(ImageRuntimeTest, f"test_{_argv[0]}", _gate_test(_argv))


if __name__ == "__main__":
    unittest.main()
