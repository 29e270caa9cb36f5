"""Evaluate PEP 508 environment markers for the target interpreter.

The whole marker grammar. Versions compare as release numbers (``3.11``,
``3.11.2``, ``3.*``), which is all the target's version variables hold.

Standard library only.
"""

from __future__ import annotations

import re

from pypi.private.pip_lock_file import normalize_name

# The environment markers of the target interpreter (PEP 508).
TARGET_ENVIRONMENT: dict[str, str] = {
    "os_name": "posix",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "implementation_version": "3.11.2",
    "python_version": "3.11",
    "python_full_version": "3.11.2",
    "platform_release": "",
    "platform_version": "",
    "extra": "",
}

_MARKER_TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>'[^']*'|"[^"]*")
      | (?P<op>===|==|!=|<=|>=|~=|<|>|\bnot\s+in\b|\bin\b)
      | (?P<bool>\band\b|\bor\b)
      | (?P<paren>[()])
      | (?P<var>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
_VERSION_VARIABLES = {"python_version", "python_full_version", "implementation_version"}
_LEGACY_VARIABLES = {
    "os.name": "os_name",
    "sys.platform": "sys_platform",
    "platform.version": "platform_version",
    "platform.machine": "platform_machine",
    "platform.python_implementation": "platform_python_implementation",
    "python_implementation": "platform_python_implementation",
}


def _tokenize_marker(marker: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    marker = marker.rstrip()
    while position < len(marker):
        match = _MARKER_TOKEN_RE.match(marker, position)
        if not match or match.end() == position:
            raise ValueError(f"unexpected text at `{marker[position:].strip()}`")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "op":
            value = re.sub(r"\s+", " ", value)
        tokens.append((kind, value))
        position = match.end()
    return tokens


def _release(version: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"v?(\d+(?:\.\d+)*)", version.strip())
    if not match:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _compare_versions(lhs: str, op: str, rhs: str) -> bool | None:
    """Compare release-only versions; None when either side is not one."""
    wildcard = rhs.endswith(".*")
    left = _release(lhs)
    right = _release(rhs[:-2] if wildcard else rhs)
    if left is None or right is None:
        return None
    if wildcard:
        if op not in ("==", "!="):
            return None
        equal = left[: len(right)] == right
        return equal if op == "==" else not equal
    width = max(len(left), len(right))
    a = left + (0,) * (width - len(left))
    b = right + (0,) * (width - len(right))
    if op == "~=":
        if len(right) < 2:
            return None
        prefix = right[:-1]
        return a >= b and left[: len(prefix)] == prefix
    return {
        "==": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }.get(op)


def evaluate_marker(marker: str, environment: dict[str, str]) -> bool:
    """Evaluate a PEP 508 marker; raises ValueError on a malformed one."""
    tokens = _tokenize_marker(marker)
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise ValueError("unexpected end of marker")
        token = tokens[position]
        position += 1
        return token

    def value(token: tuple[str, str]) -> tuple[str, str | None]:
        kind, text = token
        if kind == "string":
            return text[1:-1], None
        if kind == "var":
            name = _LEGACY_VARIABLES.get(text, text)
            if name not in environment:
                raise ValueError(f"unknown marker variable `{text}`")
            return environment[name], name
        raise ValueError(f"expected a variable or a string, got `{text}`")

    def comparison() -> bool:
        token = take()
        if token == ("paren", "("):
            result = disjunction()
            if take() != ("paren", ")"):
                raise ValueError("missing `)`")
            return result
        lhs, lhs_var = value(token)
        kind, op = take()
        if kind != "op":
            raise ValueError(f"expected an operator, got `{op}`")
        rhs, rhs_var = value(take())
        if op == "in":
            return lhs in rhs
        if op == "not in":
            return lhs not in rhs
        if op == "===":
            return lhs == rhs
        if lhs_var == "extra" or rhs_var == "extra":
            lhs, rhs = normalize_name(lhs), normalize_name(rhs)
        versioned = lhs_var in _VERSION_VARIABLES or rhs_var in _VERSION_VARIABLES
        if versioned or op not in ("==", "!="):
            compared = _compare_versions(lhs, op, rhs)
            if compared is not None:
                return compared
        if op == "==":
            return lhs == rhs
        if op == "!=":
            return lhs != rhs
        raise ValueError(f"cannot compare `{lhs}` {op} `{rhs}`")

    def conjunction() -> bool:
        nonlocal position
        result = comparison()
        while peek() == ("bool", "and"):
            position += 1
            right = comparison()
            result = result and right
        return result

    def disjunction() -> bool:
        nonlocal position
        result = conjunction()
        while peek() == ("bool", "or"):
            position += 1
            right = conjunction()
            result = result or right
        return result

    outcome = disjunction()
    if position != len(tokens):
        raise ValueError(f"unexpected `{tokens[position][1]}`")
    return outcome
