"""An independent check: crane (a pinned Debian .deb) validates the load tarball.

`crane validate --tarball` reads the docker-archive that //:image_load writes
and checks every layer against its digest. It must pass on the real tarball
and fail on a tarball whose layer was tampered with.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
import unittest

from image_gates.image_under_test import runfile

from oci.private import docker_archive, image_fixtures


def crane_validate(tarball: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [runfile("CRANE"), "validate", "--tarball", tarball],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


class CraneValidateTest(unittest.TestCase):
    def test_load_tarball_is_valid(self) -> None:
        result = crane_validate(runfile("LOAD_TARBALL"))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_tampered_layer_fails(self) -> None:
        with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as tmp:
            layer = image_fixtures.write_layer(
                tmp,
                "app",
                {"/etc/passwd": "root:x:0:0::/:/sbin/nologin\n", "/app/x": "x" * 4096},
            )
            layout = image_fixtures.write_layout(tmp, [layer], {"cmd": ["/app/x"]})
            good = os.path.join(tmp, "good.tar")
            docker_archive.main(
                ["--layout", layout, "--out", good, "--repo-tag", "t:1"]
            )
            self.assertEqual(crane_validate(good).returncode, 0)

            bad = os.path.join(tmp, "bad.tar")
            with tarfile.open(good) as src, tarfile.open(bad, "w") as dst:
                for member in src.getmembers():
                    data = src.extractfile(member) if member.isfile() else None
                    if data is not None and member.name.endswith("layer.tar"):
                        content = bytearray(data.read())
                        content[-1024] ^= 0xFF  # one flipped byte inside the layer
                        dst.addfile(member, io.BytesIO(bytes(content)))
                    else:
                        dst.addfile(member, data)
            result = crane_validate(bad)
            self.assertNotEqual(result.returncode, 0, "crane accepted a tampered layer")


if __name__ == "__main__":
    unittest.main()
