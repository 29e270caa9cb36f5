"""An image's SBOM, in SPDX 2.3 JSON and CycloneDX 1.6 JSON, from its inventory.

    python3 -m image.private.sbom --inventory INVENTORY.json \
        --spdx OUT.spdx.json --cyclonedx OUT.cdx.json

The inventory (what the image holds, from its locks and layers) is

    {
      "image": {"name": LABEL, "digest": "sha256:..."},
      "layers": [{"name": NAME, "digest": "sha256:...", "size": BYTES}, ...],
      "interpreter": {"name": "python", "version": "3.13.5"},
      "debian": [{"name", "version", "architecture", "source",
                  "source_version", "sha256", "url"}, ...],
      "python": [{"name", "version", "sha256", "url", "license"}, ...]
    }

Both documents describe the image (its manifest digest is their subject),
each layer, the interpreter, every Debian package (PURL pkg:deb/debian/...,
the .deb's sha256, its source package) and every Python distribution (PURL
pkg:pypi/..., the wheel's sha256 and URL, the licence its metadata
declares). They are deterministic: no clock, identifiers derived from the
image digest, lists sorted, so the same image gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(
        0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    )

from rules_common import cli  # noqa: E402
from rules_common.atomic_file import write_text  # noqa: E402

PROG = "sbom"
TOOL = "mlimage-sbom"
# SPDX requires a creation time; the epoch keeps the document reproducible
# (the image's own `created` is the epoch too).
CREATED = "1970-01-01T00:00:00Z"
NAMESPACE = "https://mlimage.invalid/spdx"
NOASSERTION = "NOASSERTION"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise cli.UserError(f"inventory: {message}")


def check_inventory(inv: Mapping[str, Any]) -> None:
    """Refuses an inventory with a missing field or a malformed digest, naming it."""
    image = inv.get("image") or {}
    _require(bool(image.get("name")), "image.name is missing")
    _require(
        bool(_DIGEST.fullmatch(str(image.get("digest")))),
        "image.digest is not sha256:<hex>",
    )
    for i, layer in enumerate(inv.get("layers") or []):
        _require(
            bool(_DIGEST.fullmatch(str(layer.get("digest")))), f"layers[{i}].digest"
        )
    seen: set[tuple[str, str]] = set()
    for kind, fields in (
        ("debian", ("name", "version", "architecture", "sha256")),
        ("python", ("name", "version", "sha256")),
    ):
        for entry in inv.get(kind) or []:
            for field in fields:
                _require(
                    bool(entry.get(field)), f"{kind} {entry.get('name')}: no {field}"
                )
            _require(
                bool(_SHA256.fullmatch(str(entry["sha256"]))),
                f"{kind} {entry['name']}: sha256 is not 64 hex digits",
            )
            key = (kind, str(entry["name"]))
            _require(key not in seen, f"{kind} {entry['name']} is listed twice")
            seen.add(key)


def deb_purl(entry: Mapping[str, Any]) -> str:
    purl = f"pkg:deb/debian/{quote(entry['name'])}@{quote(entry['version'])}"
    purl += f"?arch={quote(entry['architecture'])}"
    if entry.get("source") and entry["source"] != entry["name"]:
        purl += f"&upstream={quote(entry['source'])}"
    return purl


def pypi_purl(entry: Mapping[str, Any]) -> str:
    # PEP 503 normalisation, as the PURL spec asks for pypi names.
    name = re.sub(r"[-_.]+", "-", str(entry["name"])).lower()
    return f"pkg:pypi/{quote(name)}@{quote(entry['version'])}"


def oci_purl(image: Mapping[str, Any]) -> str:
    name = str(image["name"]).rsplit(":", 1)[-1]
    return f"pkg:oci/{quote(name)}@{quote(image['digest'])}"


def _spdx_id(kind: str, name: str) -> str:
    return f"SPDXRef-{kind}-{_ID_UNSAFE.sub('-', name)}"


def spdx(inv: Mapping[str, Any]) -> dict[str, Any]:
    """The SPDX 2.3 JSON document."""
    image = inv["image"]
    hex_digest = image["digest"].split(":", 1)[1]
    image_id = "SPDXRef-Image"
    packages: list[dict[str, Any]] = [
        {
            "SPDXID": image_id,
            "name": image["name"],
            "versionInfo": image["digest"],
            "primaryPackagePurpose": "CONTAINER",
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": False,
            "checksums": [{"algorithm": "SHA256", "checksumValue": hex_digest}],
            "externalRefs": [_purl_ref(oci_purl(image))],
        }
    ]
    relationships = [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": image_id,
        }
    ]

    def contains(element: str) -> None:
        relationships.append(
            {
                "spdxElementId": image_id,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": element,
            }
        )

    for index, layer in enumerate(inv.get("layers") or []):
        layer_id = _spdx_id("Layer", f"{index}-{layer['name']}")
        packages.append(
            {
                "SPDXID": layer_id,
                "name": f"layer {layer['name']}",
                "versionInfo": layer["digest"],
                "primaryPackagePurpose": "ARCHIVE",
                "downloadLocation": NOASSERTION,
                "filesAnalyzed": False,
                "checksums": [
                    {
                        "algorithm": "SHA256",
                        "checksumValue": layer["digest"].split(":", 1)[1],
                    }
                ],
            }
        )
        contains(layer_id)
    interpreter = inv.get("interpreter")
    if interpreter:
        packages.append(
            {
                "SPDXID": "SPDXRef-Interpreter",
                "name": interpreter["name"],
                "versionInfo": interpreter["version"],
                "primaryPackagePurpose": "APPLICATION",
                "downloadLocation": NOASSERTION,
                "filesAnalyzed": False,
            }
        )
        contains("SPDXRef-Interpreter")
    for entry in sorted(inv.get("debian") or [], key=lambda e: e["name"]):
        package = _spdx_package(_spdx_id("Deb", entry["name"]), entry, deb_purl(entry))
        if entry.get("source"):
            package["sourceInfo"] = "built package from: {} {}".format(
                entry["source"], entry.get("source_version") or entry["version"]
            )
        packages.append(package)
        contains(package["SPDXID"])
    for entry in sorted(inv.get("python") or [], key=lambda e: e["name"]):
        package = _spdx_package(
            _spdx_id("PyPI", entry["name"]), entry, pypi_purl(entry)
        )
        if entry.get("license"):
            package["licenseComments"] = f"declared in its metadata: {entry['license']}"
        packages.append(package)
        contains(package["SPDXID"])
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{image['name']}@{image['digest']}",
        "documentNamespace": f"{NAMESPACE}/{hex_digest}",
        "creationInfo": {"created": CREATED, "creators": [f"Tool: {TOOL}"]},
        "documentDescribes": [image_id],
        "packages": packages,
        "relationships": relationships,
    }


def _purl_ref(purl: str) -> dict[str, str]:
    return {
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": purl,
    }


def _spdx_package(spdx_id: str, entry: Mapping[str, Any], purl: str) -> dict[str, Any]:
    # Licences are stated as their metadata has them (licenseComments), not
    # as SPDX expressions we would have to guess: concluded and declared stay
    # NOASSERTION.
    return {
        "SPDXID": spdx_id,
        "name": entry["name"],
        "versionInfo": entry["version"],
        "downloadLocation": entry.get("url") or NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "checksums": [{"algorithm": "SHA256", "checksumValue": entry["sha256"]}],
        "externalRefs": [_purl_ref(purl)],
    }


def cyclonedx(inv: Mapping[str, Any]) -> dict[str, Any]:
    """The CycloneDX 1.6 JSON document."""
    image = inv["image"]
    components: list[dict[str, Any]] = []
    for index, layer in enumerate(inv.get("layers") or []):
        components.append(
            {
                "type": "file",
                "bom-ref": f"layer:{index}:{layer['name']}",
                "name": f"layer {layer['name']}",
                "version": layer["digest"],
                "hashes": [
                    {"alg": "SHA-256", "content": layer["digest"].split(":", 1)[1]}
                ],
            }
        )
    interpreter = inv.get("interpreter")
    if interpreter:
        components.append(
            {
                "type": "application",
                "bom-ref": "interpreter",
                "name": interpreter["name"],
                "version": interpreter["version"],
            }
        )
    for kind, purl_of in (("debian", deb_purl), ("python", pypi_purl)):
        for entry in sorted(inv.get(kind) or [], key=lambda e: e["name"]):
            purl = purl_of(entry)
            component: dict[str, Any] = {
                "type": "library",
                "bom-ref": purl,
                "name": entry["name"],
                "version": entry["version"],
                "purl": purl,
                "hashes": [{"alg": "SHA-256", "content": entry["sha256"]}],
            }
            if entry.get("url"):
                component["externalReferences"] = [
                    {"type": "distribution", "url": entry["url"]}
                ]
            if entry.get("license"):
                component["licenses"] = [{"license": {"name": entry["license"]}}]
            components.append(component)
    image_ref = oci_purl(image)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, image_ref)}",
        "version": 1,
        "metadata": {
            "timestamp": CREATED,
            "tools": {"components": [{"type": "application", "name": TOOL}]},
            "component": {
                "type": "container",
                "bom-ref": image_ref,
                "name": image["name"],
                "version": image["digest"],
                "purl": image_ref,
            },
        },
        "components": components,
        "dependencies": [
            {"ref": image_ref, "dependsOn": [c["bom-ref"] for c in components]}
        ],
    }


def dumps(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--inventory", required=True, help="the image's inventory, JSON"
    )
    parser.add_argument("--spdx", required=True, help="the SPDX 2.3 JSON to write")
    parser.add_argument(
        "--cyclonedx", required=True, help="the CycloneDX 1.6 JSON to write"
    )
    args = parser.parse_args(argv)
    try:
        with open(args.inventory, encoding="utf-8") as f:
            inv = json.load(f)
    except (OSError, ValueError) as e:
        raise cli.UserError(f"cannot read {args.inventory}: {e}") from None
    check_inventory(inv)
    write_text(args.spdx, dumps(spdx(inv)), durable=False)
    write_text(args.cyclonedx, dumps(cyclonedx(inv)), durable=False)
    return 0


if __name__ == "__main__":
    cli.run(PROG, main)
