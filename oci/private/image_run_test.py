"""Tests for image_run.py: an image's command run in bubblewrap, as its user."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import unittest

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import image_run  # noqa: E402
from oci.private.image_fixtures import Dir, File, write_layer, write_layout  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

BWRAP = os.path.abspath(os.environ.get("BWRAP", "bwrap-not-given"))
# qemu-user's emulator is a static-pie binary: the test image's whole userland.
PROGRAM = os.path.join(
    os.path.abspath(os.environ.get("QEMU_ROOT", "qemu-root-not-given")),
    "usr/bin/qemu-aarch64",
)
SHELL_LAYER = {
    "/etc/passwd": File(
        "root:x:0:0::/root:/bin/sh\napp:x:1234:4321::/home/app:/bin/sh\n"
    ),
    "/etc/group": File("root:x:0:\napp:x:4321:\nstaff:x:50:\n"),
    "/tmp": Dir("1777"),
    "/work": Dir("0755"),
}


class ImageRunTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name

    def test_user_ids(self) -> None:
        root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(root, "etc"))
        for name in ("passwd", "group"):
            with open(os.path.join(root, "etc", name), "w") as f:
                f.write(SHELL_LAYER[f"/etc/{name}"].content)  # type: ignore[attr-defined]
        self.assertEqual(image_run.user_ids(root, ""), (0, 0))
        self.assertEqual(image_run.user_ids(root, "app"), (1234, 4321))
        self.assertEqual(image_run.user_ids(root, "1234"), (1234, 4321))
        self.assertEqual(image_run.user_ids(root, "65532:65532"), (65532, 65532))
        self.assertEqual(image_run.user_ids(root, "app:staff"), (1234, 50))
        with self.assertRaisesRegex(
            UserError, "user 'nobody' is not in its /etc/passwd"
        ):
            image_run.user_ids(root, "nobody")

    def test_command_is_entrypoint_then_args_or_cmd(self) -> None:
        config = {"config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo a"]}}
        self.assertEqual(image_run.command(config, []), ["/bin/sh", "-c", "echo a"])
        self.assertEqual(
            image_run.command(config, ["echo b"]), ["/bin/sh", "-c", "echo b"]
        )
        with self.assertRaisesRegex(UserError, "no Entrypoint or Cmd"):
            image_run.command({"config": {}}, [])

    def test_runs_as_the_image_says_and_checks_the_result(self) -> None:
        # A static program is the whole userland.
        with open(PROGRAM, "rb") as f:
            program = f.read()
        layer = write_layer(
            self.tmp,
            "app",
            {**SHELL_LAYER, "/bin/program": File(program, "0755")},
        )
        layout = write_layout(
            self.tmp,
            [layer],
            {
                "entrypoint": ["/bin/program"],
                "cmd": ["--version"],
                "env": {"HOME": "/tmp"},
                "user": "app",
                "workdir": "/work",
            },
        )
        code, output = image_run.run(layout, BWRAP, [], timeout=60)
        self.assertEqual(code, 0, output)
        self.assertRegex(output.decode(), r"^qemu-aarch64 version [0-9]+")
        # Args replace Cmd; a failing command's exit code and stderr come through.
        code, output = image_run.run(layout, BWRAP, ["/work/no-such-file"], 60)
        self.assertNotEqual(code, 0)
        self.assertIn(b"no-such-file", output)
        # The checks: what differs is reported and the run fails.
        expected = os.path.join(self.tmp, "expected.txt")
        with open(expected, "w") as f:
            f.write("something else")
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = image_run.main(
                [
                    "--layout",
                    layout,
                    "--bwrap",
                    BWRAP,
                    "--exit-code",
                    "7",
                    "--output-file",
                    expected,
                ]
            )
        self.assertEqual(rc, 1)
        self.assertIn("exit code 0, expected 7", err.getvalue())
        self.assertIn("expected b'something else'", err.getvalue())

    def test_the_sandbox(self) -> None:
        root = os.path.join(self.tmp, "root")
        os.makedirs(os.path.join(root, "etc"))
        config = {"config": {"Cmd": ["/x"], "Env": ["A=1=2"], "User": "7:8"}}
        argv = image_run.bwrap_argv("/bw", root, config, [])
        self.assertEqual(argv[:5], ["/bw", "--bind", root, "/", "--proc"])
        for flag in ("--unshare-all", "--die-with-parent", "--clearenv"):
            self.assertIn(flag, argv)  # no network, nothing of ours in it
        self.assertEqual(argv[argv.index("--uid") + 1], "7")
        self.assertEqual(argv[argv.index("--gid") + 1], "8")
        self.assertEqual(
            argv[argv.index("--setenv") : argv.index("--setenv") + 3],
            ["--setenv", "A", "1=2"],
        )
        self.assertEqual(argv[-2:], ["--", "/x"])

    def test_an_image_for_another_cpu_is_refused(self) -> None:
        layer = write_layer(self.tmp, "app", {"/a": File("a")})
        layout = write_layout(
            self.tmp, [layer], {"architecture": "s390x", "cmd": ["/a"]}, out="s390x"
        )
        with self.assertRaisesRegex(UserError, "the image is for s390x"):
            image_run.run(layout, BWRAP, [], 60)


if __name__ == "__main__":
    unittest.main()
