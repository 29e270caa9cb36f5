"""Named resource reservations for an action (rules_oci's `resource_set` values).

Bazel schedules local actions by the CPU and memory it thinks each takes (one
CPU, 250 MB unless told). A rule with a `resource_set` attribute lets a BUILD
file reserve more for one big action, so Bazel runs fewer at once
(`--local_resources` bounds the total). The names are rules_oci's, so a BUILD
file written for it means the same here.
"""

def _cpu_2(_os, _inputs):
    return {"cpu": 2}

def _cpu_4(_os, _inputs):
    return {"cpu": 4}

def _mem_512m(_os, _inputs):
    return {"memory": 512}

def _mem_1g(_os, _inputs):
    return {"memory": 1024}

def _mem_2g(_os, _inputs):
    return {"memory": 2048}

def _mem_4g(_os, _inputs):
    return {"memory": 4096}

def _mem_8g(_os, _inputs):
    return {"memory": 8192}

def _mem_16g(_os, _inputs):
    return {"memory": 16384}

def _mem_32g(_os, _inputs):
    return {"memory": 32768}

_RESOURCE_SETS = {
    "cpu_2": _cpu_2,
    "cpu_4": _cpu_4,
    "default": None,
    "mem_16g": _mem_16g,
    "mem_1g": _mem_1g,
    "mem_2g": _mem_2g,
    "mem_32g": _mem_32g,
    "mem_4g": _mem_4g,
    "mem_512m": _mem_512m,
    "mem_8g": _mem_8g,
}

RESOURCE_SET_ATTRS = {
    "resource_set": attr.string(
        default = "default",
        values = sorted(_RESOURCE_SETS.keys()),
        doc = "What the rule's main action reserves while it runs: `default` (Bazel's one CPU and 250 MB), `cpu_2`, `cpu_4`, or `mem_512m` to `mem_32g`. rules_oci's values and meanings.",
    ),
}

def resource_set(attr):
    """The resource_set function an attribute value names (None for `default`).

    Args:
      attr: the rule's `ctx.attr`, with a `resource_set` string.

    Returns:
      a function for `ctx.actions.run(resource_set = ...)`, or None.
    """
    return _RESOURCE_SETS[attr.resource_set]
