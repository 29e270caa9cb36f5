"""Tests for oci_layout.py (and layout_reader.py reading its output)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import (  # noqa: E402
    canonical_json,
    compress_layer,
    layout_reader,
    media_types,
    oci_layout,
)
from oci.private.image_fixtures import Dir, File, Link, write_layer, write_layout  # noqa: E402
from rules_common.cli import UserError  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "entrypoint": ["/usr/bin/python3", "-m", "app"],
    "cmd": ["--port", "8000"],
    "env": {
        "PATH": "/usr/local/bin:/usr/bin",
        "PYTHONDONTWRITEBYTECODE": "1",
        "A": "z",
    },
    "workdir": "/app",
    "user": "65532:65532",
    "labels": {"org.opencontainers.image.source": "local"},
    "exposed_ports": ["8000/tcp"],
}


def load(path: str) -> Any:
    with open(path, "rb") as f:
        return json.loads(f.read())


class OciLayoutTest(unittest.TestCase):
    def setUp(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = self._tmp.name
        self.base = write_layer(
            self.tmp,
            "base",
            {
                "/etc/passwd": "root:x:0:0::/root:/bin/sh\n",
                "/tmp": Dir("1777"),
                "/bin/sh": Link("busybox"),
            },
        )
        self.app = write_layer(
            self.tmp, "app", {"/app/main.py": File("print(1)\n", "0644")}
        )

    def tearDown(self) -> None:
        self._tmp.cleanup()

    def blob(self, layout: str, digest: str) -> str:
        return os.path.join(layout, "blobs", "sha256", digest.split(":")[1])

    def test_layout_structure(self) -> None:
        layout = write_layout(
            self.tmp, [self.base, self.app], CONFIG, annotations={"k": "v"}, tag="svc:1"
        )
        self.assertEqual(
            load(os.path.join(layout, "oci-layout")), {"imageLayoutVersion": "1.0.0"}
        )
        index = load(os.path.join(layout, "index.json"))
        self.assertEqual(index["schemaVersion"], 2)
        self.assertEqual(index["mediaType"], media_types.INDEX)
        [descriptor] = index["manifests"]
        self.assertEqual(descriptor["mediaType"], media_types.MANIFEST)
        self.assertEqual(
            descriptor["annotations"], {media_types.REF_NAME_ANNOTATION: "svc:1"}
        )
        self.assertEqual(
            descriptor["platform"], {"architecture": "amd64", "os": "linux"}
        )
        manifest = load(self.blob(layout, descriptor["digest"]))
        self.assertEqual(manifest["schemaVersion"], 2)
        self.assertEqual(manifest["mediaType"], media_types.MANIFEST)
        self.assertEqual(manifest["annotations"], {"k": "v"})
        self.assertEqual(
            [
                (d["mediaType"], d["digest"], d["annotations"])
                for d in manifest["layers"]
            ],
            [
                (
                    media_types.LAYER_TAR,
                    self.base.diff_id,
                    {media_types.LAYER_NAME_ANNOTATION: "base"},
                ),
                (
                    media_types.LAYER_TAR,
                    self.app.diff_id,
                    {media_types.LAYER_NAME_ANNOTATION: "app"},
                ),
            ],
        )
        config = load(self.blob(layout, manifest["config"]["digest"]))
        self.assertEqual(manifest["config"]["mediaType"], media_types.CONFIG)
        self.assertEqual(config["created"], "1970-01-01T00:00:00Z")
        self.assertEqual(
            config["rootfs"],
            {"type": "layers", "diff_ids": [self.base.diff_id, self.app.diff_id]},
        )
        self.assertEqual(
            config["history"],
            [
                {"created": "1970-01-01T00:00:00Z", "created_by": "layer base"},
                {"created": "1970-01-01T00:00:00Z", "created_by": "layer app"},
            ],
        )
        c = config["config"]
        self.assertEqual(
            c["Env"],
            ["PATH=/usr/local/bin:/usr/bin", "PYTHONDONTWRITEBYTECODE=1", "A=z"],
        )
        self.assertEqual(c["Entrypoint"], ["/usr/bin/python3", "-m", "app"])
        self.assertEqual(c["Cmd"], ["--port", "8000"])
        self.assertEqual((c["WorkingDir"], c["User"]), ("/app", "65532:65532"))
        self.assertEqual(c["ExposedPorts"], {"8000/tcp": {}})
        self.assertEqual(c["Labels"], {"org.opencontainers.image.source": "local"})

    def test_json_blobs_are_canonical_and_match_digests(self) -> None:
        layout = write_layout(self.tmp, [self.base], CONFIG)
        blobs = os.path.join(layout, "blobs", "sha256")
        for name in os.listdir(blobs):
            with open(os.path.join(blobs, name), "rb") as f:
                data = f.read()
            self.assertEqual(hashlib.sha256(data).hexdigest(), name)
            if data.startswith(b"{"):
                self.assertEqual(data, canonical_json.dumps(json.loads(data)))
        with open(os.path.join(layout, "index.json"), "rb") as f:
            data = f.read()
        self.assertEqual(data, canonical_json.dumps(json.loads(data)))

    def test_deterministic(self) -> None:
        a = oci_layout.build(os.path.join(self.tmp, "a"), CONFIG, [self.base, self.app])
        b = oci_layout.build(os.path.join(self.tmp, "b"), CONFIG, [self.base, self.app])
        self.assertEqual(a, b)
        for name in ("index.json", "oci-layout"):
            with (
                open(os.path.join(self.tmp, "a", name), "rb") as fa,
                open(os.path.join(self.tmp, "b", name), "rb") as fb,
            ):
                self.assertEqual(fa.read(), fb.read())
        self.assertEqual(
            sorted(os.listdir(os.path.join(self.tmp, "a", "blobs", "sha256"))),
            sorted(os.listdir(os.path.join(self.tmp, "b", "blobs", "sha256"))),
        )

    def test_layer_blobs_are_relative_links_not_copies(self) -> None:
        via = os.path.join(self.tmp, "via-symlink.tar")
        os.symlink(self.app.blob, via)  # Bazel hands inputs over as symlinks
        app = oci_layout.LayerInput(
            via,
            self.app.digest,
            self.app.size,
            self.app.media_type,
            self.app.diff_id,
            "app",
        )
        layout = write_layout(self.tmp, [self.base, app], CONFIG)
        for layer, given in ((self.base, self.base.blob), (self.app, via)):
            blob = self.blob(layout, layer.digest)
            self.assertTrue(os.path.islink(blob))
            target = os.readlink(blob)
            self.assertFalse(os.path.isabs(target), target)
            # The link names the path it was given, not that path's target.
            self.assertEqual(
                os.path.normpath(os.path.join(os.path.dirname(blob), target)), given
            )
            self.assertEqual(os.stat(layer.blob).st_ino, os.stat(blob).st_ino)

    def test_layout_moves_with_its_layers(self) -> None:
        layout = write_layout(self.tmp, [self.base, self.app], CONFIG)
        moved = self.tmp + ".moved"
        os.rename(self.tmp, moved)
        try:
            image = layout_reader.read_image(os.path.join(moved, "layout"))
            self.assertEqual([x.name for x in image.layers], ["base", "app"])
            blob = os.path.join(
                moved, os.path.relpath(self.blob(layout, self.app.digest), self.tmp)
            )
            with open(blob, "rb") as f:
                self.assertEqual(
                    hashlib.sha256(f.read()).hexdigest(), self.app.diff_id.split(":")[1]
                )
        finally:
            os.rename(moved, self.tmp)

    def test_a_missing_layer_blob_fails_and_leaves_nothing(self) -> None:
        gone = oci_layout.LayerInput(
            os.path.join(self.tmp, "gone.tar"),
            self.app.digest,
            self.app.size,
            self.app.media_type,
            self.app.diff_id,
            "app",
        )
        with self.assertRaisesRegex(UserError, "gone.tar: not a file"):
            write_layout(self.tmp, [self.base, gone], CONFIG)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "layout")))

    def test_compressed_layer(self) -> None:
        gz = os.path.join(self.tmp, "app.tar.gz")
        d = compress_layer.compress(self.app.blob, gz, "gzip")
        descriptor = os.path.join(self.tmp, "app.gz.json")
        with open(descriptor, "w") as f:
            json.dump(d, f)
        layer = oci_layout.parse_layer(f"{gz}:{descriptor}")
        self.assertEqual(layer.name, "app")  # from the blob's file name
        layout = write_layout(self.tmp, [self.base, layer], CONFIG)
        image = layout_reader.read_image(layout)
        self.assertEqual([x.compression for x in image.layers], ["none", "gzip"])
        self.assertEqual(image.layers[1].digest, d["digest"])
        self.assertEqual(image.layers[1].diff_id, self.app.diff_id)
        self.assertEqual(image.layers[1].media_type, media_types.LAYER_GZIP)
        self.assertEqual([x.name for x in image.layers], ["base", "app"])

    def test_base_layout(self) -> None:
        base_config = {
            "entrypoint": ["/bin/sh"],
            "cmd": ["-c", "true"],
            "env": {"PATH": "/bin", "LANG": "C.UTF-8"},
            "labels": {"a": "1", "b": "1"},
            "exposed_ports": ["22/tcp"],
            "user": "1000",
        }
        base = write_layout(self.tmp, [self.base], base_config, out="base-layout")
        spec = {
            "entrypoint": ["/usr/bin/python3"],
            "env": {
                "LANG": "C",
                "EXTRA": "1",
                "PATH": "/opt/bin:$PATH",
                "X": "${LANG}-${NOPE}",
            },
            "labels": {"b": "2"},
            "exposed_ports": ["8000/tcp"],
        }
        layout = write_layout(self.tmp, [self.app], spec, base=base)
        image = layout_reader.read_image(layout)
        self.assertEqual(
            [x.diff_id for x in image.layers], [self.base.diff_id, self.app.diff_id]
        )
        self.assertEqual([x.name for x in image.layers], ["base", "app"])
        c = image.config["config"]
        # As rules_oci: LANG in X is the value set just before, not the base's.
        self.assertEqual(c["Env"], ["PATH=/opt/bin:/bin", "LANG=C", "EXTRA=1", "X=C-"])
        self.assertEqual(c["Labels"], {"a": "1", "b": "2"})
        self.assertEqual(c["ExposedPorts"], {"22/tcp": {}, "8000/tcp": {}})
        self.assertEqual(c["Entrypoint"], ["/usr/bin/python3"])
        self.assertNotIn("Cmd", c)  # a new entrypoint drops the base's cmd
        self.assertEqual(c["User"], "1000")  # inherited
        self.assertEqual(
            [h["created_by"] for h in image.config["history"]],
            ["layer base", "layer app"],
        )
        # The base's blob is linked through the base layout, never copied.
        base_blob = self.blob(layout, self.base.digest)
        self.assertTrue(os.path.islink(base_blob))
        self.assertEqual(os.stat(base_blob).st_ino, os.stat(self.base.blob).st_ino)
        with self.assertRaisesRegex(UserError, "differs from the base image"):
            write_layout(
                self.tmp, [self.app], {"architecture": "arm64"}, out="x", base=base
            )

    def test_replaces_an_earlier_layout_but_not_other_directories(self) -> None:
        out = os.path.join(self.tmp, "out")
        os.mkdir(out)  # Bazel creates declared output directories
        first = oci_layout.build(out, CONFIG, [self.base])
        second = oci_layout.build(out, CONFIG, [self.base, self.app])
        self.assertNotEqual(first, second)
        self.assertEqual(
            layout_reader.read_image(out).manifest_descriptor["digest"], second
        )
        other = os.path.join(self.tmp, "precious")
        os.mkdir(other)
        with open(os.path.join(other, "data"), "w") as f:
            f.write("keep")
        with self.assertRaises(FileExistsError):
            oci_layout.build(other, CONFIG, [self.base])
        self.assertTrue(os.path.exists(os.path.join(other, "data")))
        self.assertEqual(
            [n for n in os.listdir(self.tmp) if n.endswith((".tmp", ".old"))], []
        )

    def test_input_errors(self) -> None:
        with self.assertRaisesRegex(UserError, "expected BLOB:DESCRIPTOR_JSON"):
            oci_layout.parse_layer("just-a-path")
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump({"diff_id": self.app.diff_id, "size": self.app.size + 1}, f)
        with self.assertRaisesRegex(UserError, "has .* bytes but"):
            oci_layout.parse_layer(f"{self.app.blob}:{bad}")
        with open(bad, "w") as f:
            json.dump({"diff_id": "md5:abc", "size": 1}, f)
        with self.assertRaisesRegex(UserError, "not a sha256 digest"):
            oci_layout.parse_layer(f"{self.app.blob}:{bad}")
        with self.assertRaisesRegex(UserError, "unknown keys \\['entry_point'\\]"):
            write_layout(self.tmp, [self.app], {"entry_point": ["x"]})
        with self.assertRaisesRegex(UserError, "must be a list of strings"):
            write_layout(self.tmp, [self.app], {"cmd": "python3"})

    def test_rules_oci_files_volumes_and_created(self) -> None:
        labels = os.path.join(self.tmp, "labels.txt")
        with open(labels, "w") as f:
            f.write(
                "org.opencontainers.image.title=app\nrevision={{STABLE_GIT_COMMIT}}\n"
            )
        annotations = os.path.join(self.tmp, "annotations.txt")
        with open(annotations, "w") as f:
            f.write("org.opencontainers.image.version=2\n")
        created = os.path.join(self.tmp, "created.txt")
        with open(created, "w") as f:
            f.write("2026-12-01T00:00:00Z\n")
        status = os.path.join(self.tmp, "stable-status.txt")
        with open(status, "w") as f:
            f.write("STABLE_GIT_COMMIT abc123\n")
        spec = os.path.join(self.tmp, "spec.json")
        with open(spec, "w") as f:
            json.dump({"volumes": ["/data"], "labels": {"a": "1"}}, f)
        base_json = self.base.blob[: -len(".tar")] + ".json"
        out = os.path.join(self.tmp, "files")
        argv = ["--out", out, "--config-spec", spec]
        argv += ["--layer", f"{self.base.blob}:{base_json}:base"]
        argv += ["--labels-file", labels, "--annotations-file", annotations]
        argv += ["--created-file", created, "--stamp-info", status]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(oci_layout.main(argv), 0)
        image = layout_reader.read_image(out)
        config = image.config["config"]
        self.assertEqual(config["Volumes"], {"/data": {}})
        self.assertEqual(
            config["Labels"],
            {"a": "1", "org.opencontainers.image.title": "app", "revision": "abc123"},
        )
        self.assertEqual(image.config["created"], "2026-12-01T00:00:00Z")
        # No platform given and no base: linux/amd64.
        self.assertEqual(
            (image.config["os"], image.config["architecture"]), ("linux", "amd64")
        )
        manifest = image.manifest
        self.assertEqual(
            manifest["annotations"]["org.opencontainers.image.version"], "2"
        )
        with open(labels, "w") as f:
            f.write("no equals sign\n")
        with self.assertRaisesRegex(UserError, "labels.txt:1: expected KEY=VALUE"):
            oci_layout.main(argv)

    def test_config_values_from_files_on_a_base(self) -> None:
        base = write_layout(
            self.tmp,
            [self.base],
            {
                "entrypoint": ["/bin/sh"],
                "cmd": ["-c", "true"],
                "env": {"PATH": "/bin"},
                "exposed_ports": ["22/tcp"],
            },
            out="base-layout",
        )

        def text(name: str, content: str) -> str:
            path = os.path.join(self.tmp, name)
            with open(path, "w") as f:
                f.write(content)
            return path

        spec = text("spec.json", "{}")
        app_json = self.app.blob[: -len(".tar")] + ".json"
        out = os.path.join(self.tmp, "from-files")
        argv = ["--out", out, "--config-spec", spec, "--base", base]
        argv += ["--layer", f"{self.app.blob}:{app_json}:app"]
        argv += ["--entrypoint-file", text("entrypoint.txt", "")]
        argv += ["--env-file", text("env.txt", "A=1\nPATH=/opt:$PATH\nB=$A$A\nA=2")]
        argv += ["--exposed-ports-file", text("ports.txt", "8000/tcp,9000")]
        argv += ["--volumes-file", text("volumes.txt", "/data,/cache")]
        argv += ["--created-by", "app=bazel build //pkg:app"]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(oci_layout.main(argv), 0)
        image = layout_reader.read_image(out)
        c = image.config["config"]
        # An empty entrypoint file clears the base's entrypoint and cmd.
        self.assertEqual(c["Entrypoint"], [])
        self.assertNotIn("Cmd", c)
        self.assertEqual(c["Env"], ["PATH=/opt:/bin", "A=2", "B=11"])
        self.assertEqual(c["ExposedPorts"], {"22/tcp": {}, "8000/tcp": {}, "9000": {}})
        self.assertEqual(c["Volumes"], {"/data": {}, "/cache": {}})
        self.assertEqual(
            [h["created_by"] for h in image.config["history"]],
            ["layer base", "bazel build //pkg:app"],
        )
        argv = ["--out", out + "2", "--config-spec", spec]
        argv += ["--cmd-file", text("cmd.txt", "a%5Cnb\n\nc\n")]
        with contextlib.redirect_stdout(io.StringIO()):
            self.assertEqual(oci_layout.main(argv), 0)
        self.assertEqual(
            layout_reader.read_image(out + "2").config["config"]["Cmd"], ["a\nb", "c"]
        )
        with self.assertRaisesRegex(
            UserError, r"--created-by names no layer: \['nope'\]"
        ):
            oci_layout.main(
                ["--out", out + "3", "--config-spec", spec, "--created-by", "nope=x"]
            )

    def test_cli(self) -> None:
        spec = os.path.join(self.tmp, "config.json")
        with open(spec, "w") as f:
            json.dump(CONFIG, f)
        digest_out = os.path.join(self.tmp, "digest")
        base_json = self.base.blob[: -len(".tar")] + ".json"
        r = subprocess.run(
            [
                sys.executable,
                "oci/private/oci_layout.py",
                "--out",
                os.path.join(self.tmp, "cli"),
                "--config-spec",
                spec,
                "--layer",
                f"{self.base.blob}:{base_json}:base",
                "--annotation",
                "org.opencontainers.image.version=1",
                "--tag",
                "latest",
                "--digest-out",
                digest_out,
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with open(digest_out) as f:
            digest = f.read()
        self.assertEqual(r.stdout, digest + "\n")
        self.assertRegex(digest, "^sha256:[0-9a-f]{64}$")
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "oci.private.oci_layout",
                "--out",
                os.path.join(self.tmp, "cli2"),
                "--config-spec",
                spec,
                "--layer",
                "missing.tar",
            ],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        )
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)
        self.assertIn("oci_layout: error: --layer 'missing.tar'", r.stderr)


if __name__ == "__main__":
    unittest.main()
