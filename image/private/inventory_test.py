"""inventory on small images: their contents in their locks; what is not, named."""

from __future__ import annotations

import json
import os
import tempfile
import unittest
from typing import Any

from image.private import inventory
from oci.testing import write_layer, write_layout

SITE = "usr/local/lib/python3.13/dist-packages"
SHA = "1" * 64


def stanza(name: str, version: str, source: str = "") -> str:
    extra = f"Source: {source}\n" if source else ""
    return f"Package: {name}\n{extra}Version: {version}\nArchitecture: amd64\n"


def metadata(name: str, version: str, license_line: str = "") -> str:
    return f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n{license_line}\n"


class InventoryTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.debian_lock = self.write_json(
            "lock.json",
            {
                "packages": {
                    "libc6": {
                        "version": "2.41-12",
                        "arch": "amd64",
                        "sha256": SHA,
                        "urls": ["https://deb.example/libc6.deb"],
                    },
                    "zlib1g": {
                        "version": "1:1.3-4",
                        "arch": "amd64",
                        "sha256": SHA,
                        "urls": ["https://deb.example/zlib1g.deb"],
                    },
                }
            },
        )
        self.wheels_lock = self.write_json(
            "wheels.lock.json",
            {
                "wheels": {
                    "numpy": {
                        "version": "2.5.5",
                        "sha256": SHA,
                        "url": "https://w/n.whl",
                    }
                }
            },
        )
        self.python_info = self.write_json(
            "python.json", {"full_version": "3.13.5", "site_packages": SITE}
        )

    def write_json(self, name: str, doc: Any) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(doc, f)
        return path

    def layout(self, debs: dict[str, str], dists: dict[str, str]) -> str:
        base = write_layer(
            self.tmp,
            "base",
            {f"/var/lib/dpkg/status.d/{n}": text for n, text in debs.items()},
        )
        app = write_layer(
            self.tmp,
            "app",
            {f"/{SITE}/{d}.dist-info/METADATA": text for d, text in dists.items()},
        )
        return write_layout(
            self.tmp, [base, app], {"architecture": "amd64", "os": "linux"}
        )

    def inventory(self, debs: dict[str, str], dists: dict[str, str]) -> dict[str, Any]:
        return inventory.inventory(
            self.layout(debs, dists),
            "//app:image",
            self.debian_lock,
            self.wheels_lock,
            self.python_info,
        )

    def good_debs(self) -> dict[str, str]:
        return {
            "libc6": stanza("libc6", "2.41-12", "glibc"),
            "zlib1g": stanza("zlib1g", "1:1.3-4"),
        }

    def test_what_the_image_holds_with_its_locks_data(self) -> None:
        numpy = metadata("numpy", "2.5.5", "License-Expression: BSD-3-Clause")
        inv = self.inventory(self.good_debs(), {"numpy-2.5.5": numpy})
        self.assertEqual(inv["image"]["name"], "//app:image")
        self.assertEqual([layer["name"] for layer in inv["layers"]], ["base", "app"])
        libc = inv["debian"][0]
        self.assertEqual(
            (libc["name"], libc["source"], libc["sha256"], libc["url"]),
            ("libc6", "glibc", SHA, "https://deb.example/libc6.deb"),
        )
        self.assertEqual(inv["debian"][1]["source"], "zlib1g")
        self.assertEqual(
            inv["python"],
            [
                {
                    "name": "numpy",
                    "version": "2.5.5",
                    "sha256": SHA,
                    "url": "https://w/n.whl",
                    "license": "BSD-3-Clause",
                }
            ],
        )
        self.assertEqual(inv["interpreter"]["version"], "3.13.5")

    def test_sizes_sum_each_record_and_rank_the_heaviest_files(self) -> None:
        numpy = metadata("numpy", "2.5.5", "License-Expression: BSD-3-Clause")
        record = (
            "numpy/core.so,sha256=x,300\nnumpy/__init__.py,,\n../../../bin/f2py,,\n"
        )
        files = {
            f"/{SITE}/numpy-2.5.5.dist-info/METADATA": numpy,
            f"/{SITE}/numpy-2.5.5.dist-info/RECORD": record,
            f"/{SITE}/numpy/core.so": "x" * 300,
            f"/{SITE}/numpy/__init__.py": "y" * 20,
            "/srv/big.bin": "z" * 500,
        }
        base = write_layer(
            self.tmp,
            "base",
            {f"/var/lib/dpkg/status.d/{n}": t for n, t in self.good_debs().items()},
        )
        app = write_layer(self.tmp, "app", files)
        layout = write_layout(
            self.tmp, [base, app], {"architecture": "amd64", "os": "linux"}
        )
        inv = inventory.inventory(
            layout, "//app:image", self.debian_lock, self.wheels_lock, self.python_info
        )
        # RECORD's files that the image holds (the f2py script it lacks is
        # not counted; RECORD itself is not listed with a size here).
        self.assertEqual(inv["sizes"]["distributions"], {"numpy": 320})
        heaviest = inv["sizes"]["files"]
        self.assertEqual(
            heaviest[0], {"path": "/srv/big.bin", "size": 500, "layer": "app"}
        )
        self.assertEqual(heaviest[1]["path"], f"/{SITE}/numpy/core.so")

    def test_a_package_its_lock_does_not_pin_is_named(self) -> None:
        debs = self.good_debs() | {"bash": stanza("bash", "5.3-1")}
        with self.assertRaisesRegex(
            Exception, "Debian package bash 5.3-1 is in no entry"
        ):
            self.inventory(debs, {"numpy-2.5.5": metadata("numpy", "2.5.5")})
        debs = self.good_debs() | {"zlib1g": stanza("zlib1g", "1:1.3-5")}
        with self.assertRaisesRegex(
            Exception, "zlib1g is 1:1.3-5 in the image, 1:1.3-4 in"
        ):
            self.inventory(debs, {"numpy-2.5.5": metadata("numpy", "2.5.5")})

    def test_a_distribution_its_wheel_map_does_not_pin_is_named(self) -> None:
        dists = {
            "numpy-2.5.5": metadata("numpy", "2.5.5"),
            "six-1.17.0": metadata("six", "1.17.0"),
        }
        with self.assertRaisesRegex(Exception, "six 1.17.0 .* is in no entry of"):
            self.inventory(self.good_debs(), dists)
        with self.assertRaisesRegex(Exception, "numpy is 2.1.0 in the image, 2.5.5 in"):
            self.inventory(
                self.good_debs(), {"numpy-2.1.0": metadata("numpy", "2.1.0")}
            )

    def test_a_locked_wheel_the_image_lacks_is_named(self) -> None:
        with self.assertRaisesRegex(
            Exception, "numpy is in .* but not installed in the image"
        ):
            self.inventory(self.good_debs(), {})

    def test_declared_license(self) -> None:
        self.assertEqual(
            inventory.declared_license(metadata("a", "1", "License: MIT")), "MIT"
        )
        classifiers = (
            "Classifier: License :: OSI Approved :: BSD License\n"
            "Classifier: Programming Language :: Python"
        )
        self.assertEqual(
            inventory.declared_license(metadata("a", "1", classifiers)), "BSD License"
        )
        self.assertIsNone(inventory.declared_license(metadata("a", "1")))


if __name__ == "__main__":
    unittest.main()
