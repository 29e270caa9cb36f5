"""Tests for docker_archive.py."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import unittest
from unittest import mock

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import (  # noqa: E402
    compress_layer,
    docker_archive,
    image_index,
    layout_reader,
    media_types,
    oci_layout,
)
from oci.private.image_fixtures import (  # noqa: E402
    Dir,
    Link,
    write_layer,
    write_layout,
    zstd_binary,
)
from rules_common.cli import UserError  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZSTD = zstd_binary()
CONFIG = {"cmd": ["/bin/sh"], "user": "65532"}


def read(tar: tarfile.TarFile, name: str) -> bytes:
    f = tar.extractfile(name)
    assert f is not None, name
    return f.read()


class DockerArchiveTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.base = write_layer(
            self.tmp,
            "base",
            {"/etc/passwd": "root:x:0:0::/:/bin/sh\n", "/tmp": Dir("1777")},
        )
        self.app = write_layer(
            self.tmp,
            "app",
            {"/app/" + "x" * 150 + ".py": "print(1)\n", "/bin/sh": Link("busybox")},
        )
        self.layout = write_layout(self.tmp, [self.base, self.app], CONFIG)

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def archive(
        self, layout: str, name: str = "image.tar", zstd: str | None = None
    ) -> str:
        out = os.path.join(self.tmp, name)
        tags = ["mlimage/app:v1", "mlimage/app:latest"]
        docker_archive.write_archive(layout, out, tags, zstd=zstd)
        return out

    def streamed(self, layout: str) -> bytes:
        """The archive written to stdout (`--out -`)."""
        buffer = io.BytesIO()
        stdout = io.TextIOWrapper(buffer)
        with mock.patch.object(sys, "stdout", stdout):
            docker_archive.write_archive(
                layout, "-", ["mlimage/app:v1", "mlimage/app:latest"]
            )
            return buffer.getvalue()

    @staticmethod
    def read_file(path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def compressed_layout(self, fmt: str, zstd: str | None = None) -> str:
        layers = []
        for layer in (self.base, self.app):
            blob = f"{layer.blob}.{fmt}"
            d = compress_layer.compress(layer.blob, blob, fmt, zstd=zstd)
            desc = f"{blob}.json"
            with open(desc, "w") as f:
                json.dump(d, f)
            layers.append(oci_layout.parse_layer(f"{blob}:{desc}:{layer.name}"))
        return write_layout(self.tmp, layers, CONFIG, out=f"layout-{fmt}")

    def test_structure(self) -> None:
        out = self.archive(self.layout)
        with tarfile.open(out) as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            self.assertEqual(names, sorted(names))
            for m in members:
                self.assertEqual(
                    (m.mtime, m.uid, m.gid, m.uname, m.gname), (0, 0, 0, "", "")
                )
            manifest = json.loads(read(tar, "manifest.json"))
            [entry] = manifest
            self.assertEqual(
                entry["RepoTags"], ["mlimage/app:v1", "mlimage/app:latest"]
            )
            hexes = [layer.diff_id.split(":")[1] for layer in (self.base, self.app)]
            self.assertEqual(entry["Layers"], [f"{h}/layer.tar" for h in hexes])
            config_bytes = read(tar, entry["Config"])
            with open(
                os.path.join(self.layout, "blobs", "sha256", entry["Config"][:-5]), "rb"
            ) as f:
                self.assertEqual(config_bytes, f.read())
            for layer, name in zip((self.base, self.app), entry["Layers"], strict=True):
                with open(layer.blob, "rb") as f:
                    self.assertEqual(read(tar, name), f.read())
                self.assertTrue(tar.getmember(name.split("/")[0]).isdir())
            repositories = json.loads(read(tar, "repositories"))
            self.assertEqual(
                repositories, {"mlimage/app": {"v1": hexes[1], "latest": hexes[1]}}
            )
        self.assertEqual(os.path.getsize(out) % tarfile.RECORDSIZE, 0)

    def test_deterministic_and_independent_of_compression(self) -> None:
        plain = self.archive(self.layout, "plain.tar")
        again = self.archive(self.layout, "again.tar")
        gz = self.archive(self.compressed_layout("gzip"), "gz.tar")
        with open(plain, "rb") as a, open(again, "rb") as b, open(gz, "rb") as c:
            data = a.read()
            self.assertEqual(data, b.read())
            self.assertEqual(data, c.read())

    def test_zstd_layers(self) -> None:
        layout = self.compressed_layout("zstd", zstd=ZSTD)
        with self.assertRaisesRegex(UserError, "zstd-compressed: pass --zstd PATH"):
            self.archive(layout, "no-zstd.tar")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "no-zstd.tar")))
        zst = self.archive(layout, "zst.tar", zstd=ZSTD)
        plain = self.archive(self.layout, "plain.tar")
        with open(plain, "rb") as a, open(zst, "rb") as b:
            self.assertEqual(a.read(), b.read())

    def test_wrong_diff_id_is_caught(self) -> None:
        # A descriptor claiming another layer's diff_id: the bytes disagree.
        liar = os.path.join(self.tmp, "liar.json")
        with open(liar, "w") as f:
            json.dump(
                {
                    "digest": self.app.digest,
                    "size": self.app.size,
                    "diff_id": self.base.diff_id,
                    "media_type": "application/vnd.oci.image.layer.v1.tar",
                },
                f,
            )
        bad = oci_layout.parse_layer(f"{self.app.blob}:{liar}:app")
        layout = write_layout(self.tmp, [bad], CONFIG, out="bad")
        with self.assertRaisesRegex(UserError, "but the config's diff_id is"):
            self.archive(layout, "bad.tar")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "bad.tar")))

    def test_streamed_to_stdout_is_the_same_archive(self) -> None:
        on_disk = self.archive(self.layout)
        self.assertEqual(self.streamed(self.layout), self.read_file(on_disk))
        self.assertEqual(sorted(os.listdir(self.tmp)).count("-"), 0)

    def test_streamed_compressed_layers(self) -> None:
        layout = self.compressed_layout("gzip")
        on_disk = self.archive(layout, "gzip.tar")
        self.assertEqual(self.streamed(layout), self.read_file(on_disk))

    def test_oci_format_is_the_layout_with_one_entry_per_tag(self) -> None:
        out = os.path.join(self.tmp, "oci.tar")
        tags = ["mlimage/app:v1", "mlimage/app:latest"]
        docker_archive.write_oci_archive(self.layout, out, tags)
        with tarfile.open(out) as tar:
            names = tar.getnames()
            index = json.loads(read(tar, "index.json"))
            for name in names:
                if name.startswith("blobs/sha256/") and tar.getmember(name).isfile():
                    data = read(tar, name)
                    self.assertEqual(
                        hashlib.sha256(data).hexdigest(), name.rsplit("/")[-1]
                    )
        self.assertIn("oci-layout", names)
        refs = [
            m["annotations"]["org.opencontainers.image.ref.name"]
            for m in index["manifests"]
        ]
        self.assertEqual(refs, tags)
        digest = layout_reader.read_image(self.layout).manifest_descriptor["digest"]
        self.assertEqual({m["digest"] for m in index["manifests"]}, {digest})

    def test_an_index_loads_as_oci_only(self) -> None:
        arm64 = write_layout(
            self.tmp, [self.app], {**CONFIG, "architecture": "arm64"}, out="arm64"
        )
        index = os.path.join(self.tmp, "index")
        image_index.build(index, [self.layout, arm64])
        out = os.path.join(self.tmp, "index.tar")
        docker_archive.write_oci_archive(index, out, ["mlimage/app:multi"])
        with tarfile.open(out) as tar:
            (entry,) = json.loads(read(tar, "index.json"))["manifests"]
            self.assertEqual(entry["mediaType"], media_types.INDEX)
            listed = json.loads(read(tar, "blobs/sha256/" + entry["digest"][7:]))
            for manifest in listed["manifests"]:  # each image travels along
                read(tar, "blobs/sha256/" + manifest["digest"][7:])
        with self.assertRaisesRegex(UserError, 'only with format = "oci"'):
            docker_archive.write_archive(index, os.path.join(self.tmp, "d.tar"), [])

    def test_repeated_layer_stored_once(self) -> None:
        layout = write_layout(
            self.tmp, [self.base, self.app, self.base], CONFIG, out="rep"
        )
        with tarfile.open(self.archive(layout, "rep.tar")) as tar:
            names = tar.getnames()
            entry = json.loads(read(tar, "manifest.json"))[0]
        self.assertEqual(len(entry["Layers"]), 3)
        self.assertEqual(len([n for n in names if n.endswith("layer.tar")]), 2)

    def test_bad_repo_tag(self) -> None:
        with self.assertRaisesRegex(UserError, "expected NAME:TAG"):
            docker_archive.write_archive(
                self.layout, os.path.join(self.tmp, "x.tar"), ["localhost:5000/app"]
            )

    def test_header_for_sizes_past_8_gib(self) -> None:
        size = 9 << 30
        header = docker_archive._header("a/layer.tar", size)
        self.assertEqual(len(header), 512)
        info = tarfile.TarInfo.frombuf(header, "utf-8", "strict")
        self.assertEqual(info.size, size)

    def test_cli(self) -> None:
        out = os.path.join(self.tmp, "cli.tar")
        r = subprocess.run(
            [
                sys.executable,
                "oci/private/docker_archive.py",
                "--layout",
                self.layout,
                "--out",
                out,
                "--repo-tag",
                "app:1",
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with tarfile.open(out) as tar:
            manifest = json.loads(read(tar, "manifest.json"))
        self.assertEqual(manifest[0]["RepoTags"], ["app:1"])
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "oci.private.docker_archive",
                "--layout",
                self.tmp,
                "--out",
                out,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        self.assertIn("not an OCI image layout", r.stderr)
        self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
