"""Gate: NumPy is the locked version, installed once, and nothing compiled breaks on it.

    python3 -m gates.private.numpy_gate [--lock requirements_lock.txt]
        [--expected-version V] [--modules torch,scipy] [--no-imports]

Checks, against the interpreter running it:

1. ``import numpy`` gives the version the stack's lock pins (``--lock`` or
   ``REQUIREMENTS_LOCK``; ``--expected-version`` overrides it), and the
   ``numpy-*.dist-info`` it comes with says the same.
2. Exactly one numpy distribution and one ``numpy/`` package on ``sys.path``.
3. Importing the ML stack (``REQUIRED_IMPORTS``) and every distribution that
   ships compiled code (its RECORD lists a ``.so``) raises no NumPy ABI warning
   or error ("compiled using NumPy 1.x cannot be run in NumPy 2", "numpy.dtype
   size changed", "_ARRAY_API not found", ...) and no import error. For those
   distributions it also imports each extension module that uses the NumPy C
   API (lazy packages such as scipy load most of theirs only on use). Each
   distribution is imported in its own fresh ``sys.executable`` subprocess
   (override with ``GATE_PYTHON``), with this process's environment and
   ``sys.path``; they run in parallel, over the distributions the lock pins.

Standard library only; it never imports numpy or the stack into its own process
except ``numpy`` itself for the version check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from gates.private import import_probe, stack
from gates.private.installed import (
    Dist,
    all_distributions,
    describe,
    find_distributions,
    find_package_dirs,
    normalize,
    path_entries,
)
from gates.private.reporting import report

REQUIRED_IMPORTS: dict[str, tuple[str, ...]] = {
    "torch": ("torch",),
    "transformers": ("transformers",),
    "bitsandbytes": ("bitsandbytes",),
    "sentence-transformers": ("sentence_transformers",),
    "tokenizers": ("tokenizers",),
    "safetensors": ("safetensors",),
    "scipy": ("scipy",),
    "scikit-learn": ("sklearn",),
    "pandas": ("pandas",),
    "opencv-python-headless": ("cv2",),
    "scikit-image": ("skimage",),
    "pillow": ("PIL",),
}
"""Distribution -> modules that are always imported, compiled or not, when the
stack's lock pins the distribution."""

SKIPPED_TOP_LEVEL = frozenset(
    {"tests", "test", "testing", "docs", "examples", "benchmarks"}
)
"""Top-level names wheels install by mistake (bitsandbytes 0.45.0 ships ``tests``)."""

SKIPPED_DISTRIBUTIONS = frozenset({"numpy"})
"""NumPy's own extension modules match its ABI; ``numpy`` itself is checked first."""

EXTENSION_FILE = re.compile(r"\.(cpython-[^./]+|abi3)\.so$")
NUMPY_C_API_MARKER = b"_ARRAY_API"
"""Present in every extension module that calls ``import_array()``."""

IMPORT_TIMEOUT_S = 600.0


# ---- facts -----------------------------------------------------------------


@dataclass
class NumpyFacts:
    version: str | None
    """``numpy.__version__`` as imported (``None`` when the import failed)."""
    location: str | None
    import_error: str | None
    distributions: list[Dist] = field(default_factory=list)
    package_dirs: list[str] = field(default_factory=list)


def probe(paths: Iterable[str] | None = None) -> NumpyFacts:
    """Gather the NumPy facts of the running interpreter."""
    path_list = list(sys.path if paths is None else paths)
    try:
        import numpy
    except Exception as exc:  # noqa: BLE001 (a broken numpy is a finding, not a crash)
        version, location, error = None, None, f"{type(exc).__name__}: {exc}"
    else:
        version = str(getattr(numpy, "__version__", "unknown"))
        location = os.path.dirname(
            os.path.dirname(os.path.abspath(numpy.__file__ or ""))
        )
        error = None
    return NumpyFacts(
        version=version,
        location=location,
        import_error=error,
        distributions=find_distributions("numpy", path_list),
        package_dirs=find_package_dirs("numpy", path_list),
    )


# ---- decisions -------------------------------------------------------------


def evaluate_numpy(
    version: str | None,
    distributions: Sequence[tuple[str, str, str]],
    expected_version: str,
    *,
    package_dirs: Sequence[str] = (),
    location: str | None = None,
    import_error: str | None = None,
) -> list[str]:
    """Problems with the NumPy install; ``[]`` when it is the locked one, once."""
    problems: list[str] = []
    dists = [Dist(*d) for d in distributions]
    pin = f"numpy=={expected_version}"
    if import_error is not None:
        problems.append(
            f"import numpy failed ({import_error}); "
            f"install {pin} from requirements_lock.txt"
        )
    elif version != expected_version:
        where = f" from {location}" if location else ""
        major = (
            " (NumPy 2.x: modules compiled for NumPy 1.x, the locked torch too, break)"
            if (version or "").startswith("2.") and expected_version.startswith("1.")
            else ""
        )
        problems.append(
            f"numpy {version} is imported{where}, but the lock pins {pin}{major}; "
            "something installed another NumPy (an unpinned or transitive upgrade): "
            f"install exactly {pin} from requirements_lock.txt"
        )
    if not dists:
        problems.append(
            "no numpy-*.dist-info on sys.path: numpy was copied in without its "
            f"metadata, so its version cannot be verified; install {pin} as a wheel"
        )
    elif len(dists) > 1:
        problems.append(
            f"{len(dists)} numpy distributions on sys.path ({describe(dists)}): "
            "NumPy is installed more than once and which one wins depends on path "
            f"order; keep only {pin}"
        )
    else:
        (dist,) = dists
        if dist.version != expected_version:
            problems.append(
                f"the numpy distribution in {dist.location} is {dist.version}, the "
                f"lock pins {pin}: install exactly {pin}"
            )
    if len(package_dirs) > 1:
        problems.append(
            f"a numpy/ package is on {len(package_dirs)} sys.path entries "
            f"({', '.join(package_dirs)}): the first one shadows the others; remove "
            f"all but the one {pin} installed"
        )
    return problems


@dataclass
class ImportGroup:
    """The modules imported together in one subprocess (one distribution's)."""

    modules: list[str] = field(default_factory=list)
    """Must import cleanly: any exception or NumPy ABI message fails the gate."""
    extension_modules: list[str] = field(default_factory=list)
    """Imported one by one after ``modules``: only a NumPy ABI message fails. Private
    extension modules may legitimately refuse to be imported on their own (scipy
    1.17's ``scipy.linalg._matfuncs_sqrtm_triu`` is a circular import when entered
    first); that is no sign of a broken environment, an ABI message is."""


@dataclass
class ImportResult:
    group: str
    """The distribution whose modules were imported in this subprocess."""
    module: str
    error: str | None = None
    abi_messages: list[str] = field(default_factory=list)
    strict: bool = True
    """``False`` for ``ImportGroup.extension_modules``: only ``abi_messages`` count."""


def evaluate_imports(results: Iterable[ImportResult]) -> list[str]:
    """A problem per module that printed a NumPy ABI message or (strict) raised."""
    problems: list[str] = []
    for r in results:
        where = f"importing {r.module}" + (
            f" (from {r.group})" if r.group != r.module else ""
        )
        if r.abi_messages:
            problems.append(
                f"{where} hit a NumPy ABI mismatch: {' | '.join(r.abi_messages[:3])}; "
                "it was compiled against another NumPy than the one installed: pin "
                "numpy and this package to versions built for each other (see "
                "requirements_lock.txt)"
            )
        elif r.error is not None and r.strict:
            problems.append(f"{where} failed: {r.error}")
    return problems


# ---- what to import --------------------------------------------------------


def read_lock_names(lock_path: str) -> set[str]:
    """Normalised names of the distributions a lock file pins."""
    return set(stack.load(lock_path).pins)


def _record_paths(dist: metadata.Distribution) -> list[str]:
    return [str(f).replace("\\", "/") for f in (dist.files or [])]


def top_level_modules(files: Iterable[str]) -> list[str]:
    """Importable top-level names in a distribution's RECORD, in order."""
    names: list[str] = []
    for path in files:
        parts = path.split("/")
        first = parts[0]
        if len(parts) == 1:
            name = first.split(".", 1)[0] if first.endswith((".py", ".so")) else ""
        elif parts[1] == "__init__.py":
            name = first
        else:
            continue
        if name.isidentifier() and name not in SKIPPED_TOP_LEVEL and name not in names:
            names.append(name)
    return names


def numpy_extension_modules(files: Iterable[str], root: str) -> list[str]:
    """Dotted names of the extension modules that use the NumPy C API.

    Candidates are files with an interpreter-tagged extension suffix
    (``.cpython-311-x86_64-linux-gnu.so``, ``.abi3.so``: plain ``lib*.so`` are
    shared libraries, and reading torch's or triton's would cost a gigabyte)
    that define ``PyInit_<name>`` and mention ``_ARRAY_API``.
    """
    modules: list[str] = []
    for path in files:
        if not EXTENSION_FILE.search(path):
            continue
        parts = path.split("/")
        stem = parts[-1].split(".", 1)[0]
        package = parts[:-1]
        if not package or any(p in SKIPPED_TOP_LEVEL for p in package):
            continue
        if not all(p.isidentifier() for p in [*package, stem]):
            continue
        try:
            data = Path(root, path).read_bytes()
        except OSError:
            continue
        if NUMPY_C_API_MARKER in data and b"PyInit_" + stem.encode() in data:
            modules.append(".".join([*package, stem]))
    return modules


def plan_imports(
    paths: Iterable[str] | None = None,
    *,
    only: Iterable[str] | None = None,
    deep: bool = True,
) -> dict[str, ImportGroup]:
    """Distribution name -> what to import in its subprocess.

    ``REQUIRED_IMPORTS`` (those ``only`` allows: a stack without torch needs no
    torch), plus the top-level modules of every distribution
    on the path whose RECORD lists a ``.so`` (restricted to the names in ``only``
    when given) and, with ``deep``, its NumPy-C-API extension modules. The first
    distribution of a name on the path wins, as it does for imports.
    """
    allowed = None if only is None else {normalize(n) for n in only}
    plan = {
        name: ImportGroup(list(mods))
        for name, mods in REQUIRED_IMPORTS.items()
        if allowed is None or name in allowed
    }
    seen: set[str] = set()
    for dist, root in all_distributions(paths):
        raw_name = dist.metadata["Name"] if dist.metadata else None
        if not raw_name:
            continue
        key = normalize(raw_name)
        if key in seen:
            continue
        seen.add(key)
        if key in SKIPPED_DISTRIBUTIONS or (allowed is not None and key not in allowed):
            continue
        files = _record_paths(dist)
        if not any(f.endswith(".so") for f in files):
            continue
        group = plan.setdefault(key, ImportGroup())
        for module in top_level_modules(files):
            if module not in group.modules:
                group.modules.append(module)
        if deep:
            group.extension_modules += [
                m
                for m in numpy_extension_modules(files, root)
                if m not in group.modules
            ]
        if not group.modules and not group.extension_modules:
            del plan[key]
    return plan


# ---- running the imports ---------------------------------------------------


def child_interpreter() -> list[str]:
    """``GATE_PYTHON`` (split like a shell word list) or ``sys.executable``."""
    override = os.environ.get("GATE_PYTHON")
    return shlex.split(override) if override else [sys.executable]


def run_import_group(
    group: str,
    imports: ImportGroup | Sequence[str],
    *,
    sys_path: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = IMPORT_TIMEOUT_S,
) -> list[ImportResult]:
    """Import a group in a fresh interpreter; a crash or timeout is a result too."""
    if not isinstance(imports, ImportGroup):
        imports = ImportGroup(list(imports))
    lenient = set(imports.extension_modules) - set(imports.modules)
    modules = [
        *imports.modules,
        *[m for m in imports.extension_modules if m in lenient],
    ]
    spec = json.dumps(
        {
            "sys_path": list(sys.path if sys_path is None else sys_path),
            "modules": modules,
        }
    )
    command = [*child_interpreter(), os.path.abspath(import_probe.__file__), spec]
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=child_env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [
            ImportResult(group, ",".join(modules), f"timed out after {timeout:.0f}s")
        ]
    payload = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(import_probe.RESULT_MARKER):
            payload = json.loads(line[len(import_probe.RESULT_MARKER) :])
            break
    stderr_abi = import_probe.abi_messages_in(done.stderr)
    if payload is None:
        tail = " | ".join(done.stderr.strip().splitlines()[-5:])
        return [
            ImportResult(
                group,
                ",".join(modules),
                f"the interpreter died (exit status {done.returncode}) before "
                f"reporting: {tail}",
                stderr_abi,
            )
        ]
    results = [
        ImportResult(
            group,
            item["module"],
            item["error"],
            list(item["abi_messages"]),
            strict=item["module"] not in lenient,
        )
        for item in payload
    ]
    # ABI messages printed by C code go to fd 2, not sys.stderr: they go to the group.
    seen = {m for r in results for m in r.abi_messages}
    extra = [m for m in stderr_abi if m not in seen]
    if extra:
        results.append(ImportResult(group, group, None, extra))
    return results


def check_imports(
    plan: Mapping[str, ImportGroup | Sequence[str]],
    *,
    sys_path: Sequence[str] | None = None,
    env: Mapping[str, str] | None = None,
    jobs: int | None = None,
) -> list[str]:
    """Run each group of ``plan`` in its own subprocess, in parallel; the problems.

    A group may be a plain list of module names (all strict).
    """
    groups = [(g, m) for g, m in plan.items() if m]
    workers = max(1, min(len(groups), jobs or os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        batches = list(
            pool.map(
                lambda gm: run_import_group(gm[0], gm[1], sys_path=sys_path, env=env),
                groups,
            )
        )
    return evaluate_imports(r for batch in batches for r in batch)


# ---- the gate --------------------------------------------------------------


def expected_version_from_lock(
    explicit: str | None = None, lock: str | None = None
) -> str:
    """`explicit`, else the numpy the stack's lock pins (see gates.private.stack)."""
    return explicit or stack.load(lock).version("numpy")


def check(
    expected_version: str | None = None,
    *,
    modules: Sequence[str] | None = None,
    lock_path: str | None = None,
    imports: bool = True,
) -> list[str]:
    """The whole gate on the running interpreter; ``[]`` means pass.

    ``modules`` replaces the import sweep with exactly those modules (one
    subprocess each); ``imports=False`` skips the sweep.
    """
    expected = expected_version_from_lock(expected_version, lock_path)
    facts = probe()
    problems = evaluate_numpy(
        facts.version,
        facts.distributions,
        expected,
        package_dirs=facts.package_dirs,
        location=facts.location,
        import_error=facts.import_error,
    )
    if imports:
        if modules is not None:
            plan: dict[str, ImportGroup] = {m: ImportGroup([m]) for m in modules}
        else:
            only = read_lock_names(lock_path)
            plan = plan_imports(only=only)
        problems += check_imports(plan)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gates.private.numpy_gate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--expected-version", help="default: the numpy the lock pins")
    parser.add_argument(
        "--lock",
        default=os.environ.get("REQUIREMENTS_LOCK") or None,
        help="the stack's lock: the numpy it pins is expected, and the sweep "
        "imports only what it pins (env REQUIREMENTS_LOCK)",
    )
    parser.add_argument(
        "--modules", help="comma-separated modules to import instead of the sweep"
    )
    parser.add_argument(
        "--no-imports", action="store_true", help="skip the import sweep"
    )
    args = parser.parse_args(argv)
    modules = [m for m in args.modules.split(",") if m] if args.modules else None
    try:
        expected = expected_version_from_lock(args.expected_version, args.lock)
    except stack.StackError as e:
        return report("numpy gate", [str(e)])
    problems = check(
        expected, modules=modules, lock_path=args.lock, imports=not args.no_imports
    )
    entries = len(path_entries())
    return report(
        "numpy gate",
        problems,
        f"numpy {expected}, once on {entries} sys.path entries, imports clean"
        if not args.no_imports
        else f"numpy {expected}",
    )


if __name__ == "__main__":
    sys.exit(main())
