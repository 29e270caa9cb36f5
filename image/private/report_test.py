"""report: the diff against a baseline, and a page with its data inlined safely."""

from __future__ import annotations

import json
import os
import tempfile
import unittest
from typing import Any

from image.private import report
from oci.testing import write_layer, write_layout
from rules_common import cli


def inventory(
    layers: dict[str, tuple[str, int]], python: dict[str, str]
) -> dict[str, Any]:
    return {
        "image": {"name": "//app:image", "digest": "sha256:" + "a" * 64},
        "interpreter": {"name": "python", "version": "3.13.5"},
        "layers": [
            {"name": n, "digest": "sha256:" + d * 64, "size": s}
            for n, (d, s) in layers.items()
        ],
        "debian": [{"name": "libc6", "version": "2.41-12", "sha256": "c" * 64}],
        "python": [
            {"name": n, "version": v, "sha256": "d" * 64} for n, v in python.items()
        ],
        "sizes": {
            "distributions": {"numpy": 30, "torch": 900, "</script>": 1},
            "files": [{"path": "/x", "size": 5, "layer": "app"}],
        },
    }


class ReportTest(unittest.TestCase):
    def test_changes_against_a_baseline(self) -> None:
        old = inventory(
            {"base": ("1", 100), "torch": ("2", 900), "app": ("3", 10)},
            {"numpy": "1.26.4", "six": "1.0"},
        )
        new = inventory(
            {
                "base": ("1", 100),
                "torch": ("4", 950),
                "app": ("5", 12),
                "extra": ("6", 7),
            },
            {"numpy": "2.5.5", "rich": "14.0"},
        )
        data = report.report_data(new, old)["baseline"]
        self.assertEqual(
            data["python"],
            [
                {"name": "numpy", "change": "bumped", "from": "1.26.4", "to": "2.5.5"},
                {"name": "rich", "change": "added", "from": "", "to": "14.0"},
                {"name": "six", "change": "removed", "from": "1.0", "to": ""},
            ],
        )
        self.assertEqual(data["debian"], [])
        self.assertEqual(
            [(c["name"], c["change"]) for c in data["layers"]],
            [("torch", "changed"), ("app", "changed"), ("extra", "added")],
        )
        # base is held already: torch, app and extra are sent.
        self.assertEqual(data["push_bytes"], 950 + 12 + 7)

    def test_names_compare_as_pep_503_says(self) -> None:
        old = [
            {"name": "PyYAML", "version": "6.0"},
            {"name": "ruamel.yaml", "version": "1"},
        ]
        new = [
            {"name": "pyyaml", "version": "6.0"},
            {"name": "ruamel-yaml", "version": "2"},
        ]
        self.assertEqual(
            report.package_changes(old, new),
            [{"name": "ruamel-yaml", "change": "bumped", "from": "1", "to": "2"}],
        )

    def test_the_heaviest_distributions_come_first(self) -> None:
        data = report.report_data(inventory({"base": ("1", 1)}, {}), None)
        self.assertEqual(
            [d["name"] for d in data["distributions"]], ["torch", "numpy", "</script>"]
        )
        self.assertNotIn("baseline", data)

    def test_the_page_embeds_its_data_without_ending_its_script(self) -> None:
        page = report.render(
            report.report_data(inventory({"base": ("1", 1)}, {}), None)
        )
        self.assertEqual(page.count("</script>"), 2)  # the data's and the code's
        self.assertIn("<\\/script>", page)
        self.assertNotIn("{{", page.split('id="report-data">')[0])
        start = page.index('id="report-data">') + len('id="report-data">')
        data = json.loads(page[start : page.index("</script>", start)])
        self.assertEqual(data["layers"][0]["name"], "base")

    def test_a_baseline_layout_is_read_from_its_layers(self) -> None:
        # An image these rules did not build: dpkg's status file, a
        # dist-packages distribution, layers without names.
        status = (
            "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n\n"
            "Package: gone\nStatus: deinstall ok not-installed\nVersion: 1\n"
        )
        metadata = "Metadata-Version: 2.1\nName: numpy\nVersion: 1.26.4\n"
        with tempfile.TemporaryDirectory() as tmp:
            base = write_layer(tmp, "base", {"/var/lib/dpkg/status": status})
            site = "/usr/lib/python3/dist-packages/numpy-1.26.4.dist-info/METADATA"
            app = write_layer(tmp, "app", {site: metadata})
            layout = write_layout(
                tmp, [base, app], {"architecture": "amd64", "os": "linux"}
            )
            inv_path = os.path.join(tmp, "inv.json")
            with open(inv_path, "w") as f:
                json.dump(inventory({"base": ("1", 1)}, {"numpy": "2.5.5"}), f)
            out = os.path.join(tmp, "r.html")
            argv = ["--inventory", inv_path, "--out", out, "--baseline-layout", layout]
            self.assertEqual(report.main(argv + ["--baseline-name", "@release"]), 0)
            with open(out) as f:
                page = f.read()
        start = page.index('id="report-data">') + len('id="report-data">')
        data = json.loads(page[start : page.index("</script>", start)])["baseline"]
        self.assertEqual(data["image"]["name"], "@release")
        self.assertEqual(
            data["python"],
            [{"name": "numpy", "change": "bumped", "from": "1.26.4", "to": "2.5.5"}],
        )
        self.assertEqual(
            data["debian"],
            [{"name": "libc6", "change": "bumped", "from": "2.36-9", "to": "2.41-12"}],
        )

    def test_same_inventories_same_bytes_and_bad_input_named(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "inv.json")
            with open(path, "w") as f:
                json.dump(inventory({"base": ("1", 1)}, {"numpy": "1"}), f)
            pages = []
            for name in ("a.html", "b.html"):
                out = os.path.join(tmp, name)
                self.assertEqual(report.main(["--inventory", path, "--out", out]), 0)
                with open(out, "rb") as f:
                    pages.append(f.read())
            self.assertEqual(pages[0], pages[1])
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w") as f:
                json.dump({"image": {}}, f)
            with self.assertRaisesRegex(cli.UserError, "bad.json: not an inventory"):
                report.main(["--inventory", bad, "--out", os.path.join(tmp, "c.html")])


if __name__ == "__main__":
    unittest.main()
