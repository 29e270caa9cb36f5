"""Assemble an OCI image layout directory from layer blobs and a config spec.

    python3 -m oci.private.oci_layout --out DIR --config-spec config.json \
        --layer BLOB:DESCRIPTOR_JSON[:NAME] ... [--annotation KEY=VALUE ...] \
        [--tag REF] [--base LAYOUT_DIR] [--digest-out FILE] [--layers-out FILE]

Each `--layer` (in order, bottom first) is a blob plus its descriptor JSON:
- from layer_tar: `{"diff_id": ..., "size": ...}`: an uncompressed tar,
  stored as `application/vnd.oci.image.layer.v1.tar` (digest == diff_id);
- from compress_layer: `{"digest", "size", "media_type", "diff_id"}`.
NAME (default: the blob's file name up to its first dot) goes into the
manifest's layer descriptor as the `dev.mlimage.layer.name` annotation and
into the config history (`created_by: "layer NAME"`, or the `--created-by`
text, which oci_image sets to rules_oci's `bazel build LABEL` for a plain tar).

`--layers-out` writes the declared layers, in order, as canonical JSON
(`{"layers": [{"name", "digest", "diff_id", "size", "media_type"}, ...]}`,
the base's layers not included): the image's `.layers` file, which its
structural gate checks the manifest against and scripts read instead of any
Starlark.

Config spec: `{"architecture": "amd64", "os": "linux", "variant": ...,
"entrypoint": [...], "cmd": [...], "env": {"K": "V"} (or ["K=V"]),
"workdir": "/app", "user": "65532:65532", "labels": {...},
"exposed_ports": ["8000/tcp"], "volumes": ["/data"]}`; every key optional.
`default_architecture` and `default_os` (the target platform's, from
oci_image) apply when neither the spec nor the base names one; else
amd64 and linux. Env keeps the given order. `created` is the epoch everywhere unless
`--created-file` names a file with an RFC 3339 time (rules_oci's `created`).
`--labels-file` and `--annotations-file` are `KEY=VALUE` files (rules_oci's
`labels` and `annotations`); `{{KEY}}` placeholders in them are filled from
`--stamp-info` (our addition).

`--base` puts another layout's layers (blobs, descriptors, diff_ids, history)
first and starts from its config: env applies over the base's in order
(config_files.expand_env: a key set again keeps its place, `$NAME` is the
value at that point), labels merge, exposed ports and volumes add up, other
fields set here replace the base's. As in rules_oci and a Dockerfile,
setting `entrypoint` (even to nothing) without `cmd` drops the base's cmd.
`--cmd-file`, `--entrypoint-file`, `--env-file`, `--exposed-ports-file` and
`--volumes-file` give those values in rules_oci's file forms; `--created-by
NAME=TEXT` replaces layer NAME's history text.

Layer blobs are never copied: each is a relative symbolic link in
`blobs/sha256/` to the path it was given (not its real path, so a link made
in Bazel's sandbox resolves once the layout is moved into the output tree,
and the layout stays valid wherever the tree holding it and its layers is
moved). Readers (crane, skopeo, podman, our layout_reader) follow them;
`cp -rL` copies a layout with its bytes. JSON blobs are canonical (sorted
keys, no spaces), so the same inputs give the same manifest digest, which is
printed on stdout and written to `--digest-out` as `sha256:<hex>` (no
newline).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from oci.private import (  # noqa: E402
    canonical_json,
    config_files,
    layout_reader,
    media_types,
    stamping,
)
from oci.private.digests import hex_of  # noqa: E402
from oci.private.layout_blobs import link_blob, write_blob, write_index  # noqa: E402
from rules_common import atomic_file, cli, worker  # noqa: E402

PROG = "oci_layout"
_SPEC_KEYS = {
    "architecture",
    "os",
    "default_architecture",
    "default_os",
    "variant",
    "entrypoint",
    "cmd",
    "env",
    "workdir",
    "user",
    "labels",
    "exposed_ports",
    "volumes",
}


@dataclass(frozen=True)
class LayerInput:
    blob: str
    digest: str
    size: int
    media_type: str
    diff_id: str
    name: str
    created_by: str = ""


def _load_json(path: str, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise cli.UserError(f"{what} {path}: not valid JSON: {e}") from None


def _digest_field(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise cli.UserError(f"{where}: {key!r} must be a sha256 digest string")
    try:
        hex_of(value)
    except ValueError as e:
        raise cli.UserError(f"{where}: {key!r}: {e}") from None
    return value


def parse_layer(arg: str) -> LayerInput:
    """`BLOB:DESCRIPTOR_JSON[:NAME]`."""
    parts = arg.split(":")
    if len(parts) not in (2, 3) or not all(parts):
        raise cli.UserError(f"--layer {arg!r}: expected BLOB:DESCRIPTOR_JSON[:NAME]")
    blob, descriptor_path = parts[0], parts[1]
    name = parts[2] if len(parts) == 3 else os.path.basename(blob).split(".")[0]
    d = _load_json(descriptor_path, "layer descriptor")
    where = f"layer descriptor {descriptor_path}"
    if not isinstance(d, dict):
        raise cli.UserError(f"{where}: expected a JSON object")
    diff_id = _digest_field(d.get("diff_id"), where, "diff_id")
    size = d.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise cli.UserError(f"{where}: 'size' must be a non-negative integer")
    if "digest" in d:
        digest = _digest_field(d["digest"], where, "digest")
        media_type = d.get("media_type")
        if (
            not isinstance(media_type, str)
            or media_types.layer_compression(media_type) is None
        ):
            raise cli.UserError(f"{where}: unsupported media_type {media_type!r}")
    else:
        digest, media_type = diff_id, media_types.LAYER_TAR
    actual = os.stat(blob).st_size
    if actual != size:
        raise cli.UserError(
            f"--layer {arg!r}: {blob} has {actual} bytes "
            f"but {descriptor_path} says {size}"
        )
    return LayerInput(blob, digest, size, media_type, diff_id, name)


def layers_file(layers: Sequence[LayerInput]) -> bytes:
    """The `.layers` file: the declared layers, bottom first, from the inputs."""
    return canonical_json.dumps(
        {
            "layers": [
                {
                    "diff_id": layer.diff_id,
                    "digest": layer.digest,
                    "media_type": layer.media_type,
                    "name": layer.name,
                    "size": layer.size,
                }
                for layer in layers
            ]
        }
    )


def _str_list(spec: dict[str, Any], key: str) -> list[str] | None:
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise cli.UserError(f"config spec: {key!r} must be a list of strings")
    return list(value)


def _env_entries(spec: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The spec's env in order: `KEY=VALUE` items (a key may repeat) or an object."""
    value = spec.get("env")
    if value is None:
        return None
    if isinstance(value, list):
        entries: list[tuple[str, str]] = []
        for item in value:
            if not isinstance(item, str) or "=" not in item:
                raise cli.UserError(f"config spec: env item {item!r} is not KEY=VALUE")
            k, _, v = item.partition("=")
            entries.append((k, v))
        return entries
    return list((_str_map(spec, "env") or {}).items())


def _str_map(spec: dict[str, Any], key: str) -> dict[str, str] | None:
    value = spec.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(v, str) for v in value.values()
    ):
        raise cli.UserError(f"config spec: {key!r} must be an object of strings")
    return dict(value)


def image_config(
    spec: dict[str, Any],
    layers: Sequence[LayerInput],
    base: layout_reader.Image | None = None,
) -> dict[str, Any]:
    """The image config JSON object for `spec` on top of `base`."""
    if not isinstance(spec, dict):
        raise cli.UserError("config spec: expected a JSON object")
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise cli.UserError(f"config spec: unknown keys {sorted(unknown)}")
    base_config: dict[str, Any] = base.config if base else {}
    platform: dict[str, str] = {}
    # The target platform's, where the rule knows it; else linux/amd64.
    defaults = (
        ("architecture", spec.get("default_architecture") or "amd64"),
        ("os", spec.get("default_os") or "linux"),
        ("variant", None),
    )
    for key, default in defaults:
        value = spec.get(key)
        if value is not None and not isinstance(value, str):
            raise cli.UserError(f"config spec: {key!r} must be a string")
        inherited = base_config.get(key)
        if base and value is not None and inherited is not None and value != inherited:
            raise cli.UserError(
                f"config spec: {key} {value!r} differs from "
                f"the base image's {inherited!r}"
            )
        chosen = (
            value
            if value is not None
            else inherited
            if inherited is not None
            else default
        )
        if chosen is not None:
            platform[key] = chosen

    config: dict[str, Any] = dict(base_config.get("config") or {})
    entrypoint = _str_list(spec, "entrypoint")
    cmd = _str_list(spec, "cmd")
    if entrypoint is not None:
        config["Entrypoint"] = entrypoint
        if cmd is None:
            config.pop("Cmd", None)
    if cmd is not None:
        config["Cmd"] = cmd
    env = _env_entries(spec)
    if env is not None:
        config["Env"] = config_files.expand_env(config.get("Env") or [], env)
    for key, field_name in (("workdir", "WorkingDir"), ("user", "User")):
        value = spec.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise cli.UserError(f"config spec: {key!r} must be a string")
            config[field_name] = value
    labels = _str_map(spec, "labels")
    if labels is not None:
        config["Labels"] = {**(config.get("Labels") or {}), **labels}
    volumes = _str_list(spec, "volumes")
    if volumes is not None:
        config["Volumes"] = {
            **(config.get("Volumes") or {}),
            **{v: {} for v in volumes},
        }
    ports = _str_list(spec, "exposed_ports")
    if ports is not None:
        config["ExposedPorts"] = {
            **(config.get("ExposedPorts") or {}),
            **{p: {} for p in ports},
        }

    diff_ids = list((base_config.get("rootfs") or {}).get("diff_ids") or [])
    history = list(base_config.get("history") or [])
    if base and not history:
        history = [
            {"created": media_types.EPOCH, "created_by": "base layer"} for _ in diff_ids
        ]
    for layer in layers:
        diff_ids.append(layer.diff_id)
        history.append(
            {
                "created": media_types.EPOCH,
                "created_by": layer.created_by or f"layer {layer.name}",
            }
        )
    result: dict[str, Any] = {
        **platform,
        "created": media_types.EPOCH,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }
    if config:
        result["config"] = config
    return result


def build(
    out: str,
    config_spec: dict[str, Any],
    layers: Sequence[LayerInput],
    annotations: dict[str, str] | None = None,
    tag: str | None = None,
    base: str | None = None,
    created: str | None = None,
) -> str:
    """Write the layout to `out` (atomically) and return the manifest digest.

    `created` (RFC 3339) replaces the epoch as the config's `created`; the
    default keeps unstamped builds reproducible.
    """
    base_image = layout_reader.read_image(base) if base else None
    config = image_config(config_spec, layers, base_image)
    if created:
        config["created"] = created
    layer_descriptors: list[dict[str, Any]] = []
    blob_sources: list[tuple[str, str]] = []
    if base_image:
        for layer in base_image.layers:
            media_type = layer.media_type
            if media_type == media_types.DOCKER_LAYER_GZIP:
                media_type = media_types.LAYER_GZIP
            descriptor: dict[str, Any] = {
                "mediaType": media_type,
                "digest": layer.digest,
                "size": layer.size,
            }
            if layer.annotations:
                descriptor["annotations"] = dict(layer.annotations)
            layer_descriptors.append(descriptor)
            blob_sources.append((layer.path, layer.digest))
    for new in layers:
        layer_descriptors.append(
            {
                "mediaType": new.media_type,
                "digest": new.digest,
                "size": new.size,
                "annotations": {media_types.LAYER_NAME_ANNOTATION: new.name},
            }
        )
        blob_sources.append((new.blob, new.digest))

    with atomic_file.atomic_directory(out, marker="oci-layout") as tmp:
        blobs = os.path.join(tmp, "blobs", "sha256")
        os.makedirs(blobs)
        final_blobs = os.path.join(os.path.abspath(out), "blobs", "sha256")
        for src, digest in blob_sources:
            link_blob(src, os.path.join(blobs, hex_of(digest)), final_blobs)
        config_descriptor = {
            "mediaType": media_types.CONFIG,
            **write_blob(blobs, canonical_json.dumps(config)),
        }
        manifest: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": media_types.MANIFEST,
            "config": config_descriptor,
            "layers": layer_descriptors,
        }
        if annotations:
            manifest["annotations"] = dict(annotations)
        manifest_descriptor: dict[str, Any] = {
            "mediaType": media_types.MANIFEST,
            **write_blob(blobs, canonical_json.dumps(manifest)),
            "platform": {
                k: config[k] for k in ("architecture", "os", "variant") if k in config
            },
        }
        if tag:
            manifest_descriptor["annotations"] = {media_types.REF_NAME_ANNOTATION: tag}
        write_index(tmp, [manifest_descriptor])
    return str(manifest_descriptor["digest"])


def _annotation(arg: str) -> tuple[str, str]:
    key, sep, value = arg.partition("=")
    if not sep or not key:
        raise cli.UserError(f"--annotation {arg!r}: expected KEY=VALUE")
    return key, value


# rules_oci's file forms of config values (config_files), by spec key.
_SPEC_FILES = {
    "cmd": "the config's Cmd, one item a line",
    "entrypoint": "the config's Entrypoint, one item a line (empty: none)",
    "env": "env, KEY=VALUE lines applied in order",
    "exposed_ports": "exposed ports, comma separated",
    "volumes": "volumes, comma separated",
}


def _read_spec_file(name: str, path: str) -> Any:
    if name in ("cmd", "entrypoint"):
        return config_files.read_lines(path, name)
    if name == "env":
        return [f"{k}={v}" for k, v in config_files.read_pair_list(path, name)]
    return config_files.read_comma_list(path, name)


def _with_created_by(layers: list[LayerInput], args: list[str]) -> list[LayerInput]:
    """Applies `NAME=TEXT` history texts (rules_oci's `bazel build LABEL`)."""
    texts: dict[str, str] = {}
    for arg in args:
        name, sep, text = arg.partition("=")
        if not sep or not name or not text:
            raise cli.UserError(f"--created-by {arg!r}: expected NAME=TEXT")
        texts[name] = text
    unknown = set(texts) - {layer.name for layer in layers}
    if unknown:
        raise cli.UserError(f"--created-by names no layer: {sorted(unknown)}")
    return [
        dataclasses.replace(layer, created_by=texts[layer.name])
        if layer.name in texts
        else layer
        for layer in layers
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="layout directory to write")
    parser.add_argument("--config-spec", required=True, help="config spec JSON")
    parser.add_argument(
        "--layer",
        action="append",
        default=[],
        help="BLOB:DESCRIPTOR_JSON[:NAME], bottom first",
    )
    parser.add_argument(
        "--annotation",
        action="append",
        default=[],
        help="manifest annotation KEY=VALUE",
    )
    parser.add_argument(
        "--tag", help="org.opencontainers.image.ref.name for index.json"
    )
    parser.add_argument("--base", help="OCI layout whose image goes underneath")
    parser.add_argument("--digest-out", help="file to receive the manifest digest")
    parser.add_argument(
        "--layers-out", help="file to receive the declared layers (JSON)"
    )
    parser.add_argument(
        "--label-sha256",
        action="append",
        default=[],
        help="KEY=PATH: config label KEY is the sha256 of PATH",
    )
    parser.add_argument("--labels-file", help="config labels, KEY=VALUE lines")
    parser.add_argument(
        "--annotations-file", help="manifest annotations, KEY=VALUE lines"
    )
    parser.add_argument("--created-file", help="the config's created time (RFC 3339)")
    for name, what in _SPEC_FILES.items():
        parser.add_argument(f"--{name.replace('_', '-')}-file", help=what)
    parser.add_argument(
        "--created-by",
        action="append",
        default=[],
        help="NAME=TEXT: the history's created_by for layer NAME",
    )
    parser.add_argument(
        "--stamp-info",
        help="workspace status file filling {{KEY}} in labels and annotations",
    )
    args = parser.parse_args(argv)
    spec = _load_json(args.config_spec, "config spec")
    if not isinstance(spec, dict):
        raise cli.UserError("config spec: expected a JSON object")
    for name in _SPEC_FILES:
        path = getattr(args, f"{name}_file")
        if path is not None:
            spec[name] = _read_spec_file(name, path)
    layers = _with_created_by([parse_layer(a) for a in args.layer], args.created_by)
    status = stamping.read_status(args.stamp_info) if args.stamp_info else None
    annotations = dict(_annotation(a) for a in args.annotation)
    if args.annotations_file:
        annotations = {
            **config_files.read_pairs(args.annotations_file, "annotations"),
            **annotations,
        }
    annotations = stamping.stamp(annotations, status)
    labels = _str_map(spec, "labels") or {}
    if args.labels_file:
        labels = {**config_files.read_pairs(args.labels_file, "labels"), **labels}
    labels = {
        **stamping.stamp(labels, status),
        **stamping.file_sha256_labels(args.label_sha256),
    }
    if labels:
        spec["labels"] = labels
    created = (
        config_files.read_created(args.created_file) if args.created_file else None
    )
    digest = build(args.out, spec, layers, annotations, args.tag, args.base, created)
    if args.digest_out:
        atomic_file.write_bytes(args.digest_out, digest.encode("ascii"))
    if args.layers_out:
        atomic_file.write_bytes(args.layers_out, layers_file(layers))
    print(digest)
    return 0


if __name__ == "__main__":
    worker.run(PROG, main)
