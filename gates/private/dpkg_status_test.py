"""dpkg_status on small images: a right one passes, each kind of wrong one is named.

dpkg-query (the independent reader) is the pinned sid one when the test has
it (env DPKG_QUERY), as the images' own dpkg_status_test runs it.
"""

from __future__ import annotations

import os
import tempfile
import unittest

from gates.private import dpkg_status
from oci.testing import write_layer, write_layout

STATUS = "/var/lib/dpkg/status.d/"


def stanza(name: str, version: str, arch: str = "amd64") -> str:
    return (
        f"Package: {name}\nSource: src-{name}\nVersion: {version}\n"
        f"Architecture: {arch}\nDescription: {name}\n a second line\n"
    )


class DpkgStatusTest(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR"))
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.expected = {"libc6": "2.43-7", "zlib1g": "1:1.3-4", "tzdata": "2025b-1"}
        self.dpkg_query = os.environ.get("DPKG_QUERY")
        if self.dpkg_query:
            self.dpkg_query = os.path.abspath(self.dpkg_query)

    def layout(self, *layers: dict[str, str]) -> str:
        inputs = [
            write_layer(self.tmp, f"l{i}", entries) for i, entries in enumerate(layers)
        ]
        return write_layout(self.tmp, inputs, {"architecture": "amd64", "os": "linux"})

    def problems(self, *layers: dict[str, str]) -> list[str]:
        entries = dpkg_status.read_status_entries(self.layout(*layers))
        return dpkg_status.check(entries, self.expected, self.dpkg_query)

    def base(self) -> dict[str, str]:
        return {
            STATUS + n: stanza(n, v) for n, v in self.expected.items() if n != "tzdata"
        }

    def test_every_package_once_at_its_version_passes(self) -> None:
        runtime = {STATUS + "tzdata": stanza("tzdata", "2025b-1", "all")}
        self.assertEqual(self.problems(self.base(), runtime), [])

    def test_the_independent_reader_lists_the_same(self) -> None:
        if not self.dpkg_query:
            self.skipTest("DPKG_QUERY not given: run through bazel test")
        entries = {n: stanza(n, v) for n, v in self.expected.items()}
        self.assertEqual(
            dpkg_status.dpkg_query_listing(self.dpkg_query, entries), self.expected
        )

    def test_a_missing_package_is_named(self) -> None:
        problems = self.problems(self.base())
        self.assertIn(
            "status.d: tzdata 2025b-1 is in the image's roots but not listed", problems
        )

    def test_an_extra_package_and_a_wrong_version_are_named(self) -> None:
        layer = self.base() | {
            STATUS + "tzdata": stanza("tzdata", "2024a-1"),
            STATUS + "bash": stanza("bash", "5.3-1"),
        }
        problems = self.problems(layer)
        self.assertIn(
            "status.d: tzdata is listed at 2024a-1, its root has 2025b-1", problems
        )
        self.assertIn(
            "status.d: bash 5.3-1 is listed but in none of the image's roots", problems
        )

    def test_a_stanza_under_another_name_or_broken_is_named(self) -> None:
        layer = self.base() | {
            STATUS + "tzdata": stanza("tzdata-legacy", "2025b-1"),
            STATUS + "broken": " no key first\n",
        }
        problems = self.problems(layer)
        self.assertIn(
            "status.d/tzdata: its stanza is for package tzdata-legacy", problems
        )
        self.assertIn("status.d/broken: not a control stanza", problems)

    def test_an_image_without_status_d_fails(self) -> None:
        problems = self.problems({"/etc/os-release": "ID=debian\n"})
        self.assertEqual(
            problems,
            [
                "/var/lib/dpkg/status.d: no entries "
                "(scanners would see no Debian package)"
            ],
        )

    def test_a_later_layer_replaces_an_entry(self) -> None:
        # A later layer's stanza is the one the runtime (and a scanner) sees.
        upgraded = {STATUS + "zlib1g": stanza("zlib1g", "1:1.3-5")}
        runtime = {STATUS + "tzdata": stanza("tzdata", "2025b-1")}
        problems = self.problems(self.base(), upgraded, runtime)
        self.assertIn(
            "status.d: zlib1g is listed at 1:1.3-5, its root has 1:1.3-4", problems
        )
        if self.dpkg_query:
            self.assertIn(
                "dpkg-query: zlib1g is listed at 1:1.3-5, its root has 1:1.3-4",
                problems,
            )


if __name__ == "__main__":
    unittest.main()
