"""Module extension: the locked PyPI wheels, one repository and one install each.

    pypi = use_extension("//pypi:extensions.bzl", "pypi")
    pypi.site_packages(
        name = "pypi_imagestats",
        lock = "//services/imagestats:requirements_lock.txt",
        python_info = "@python_3_13_facts//:python.json",
        requirements_in = "//services/imagestats:requirements.in",
        wheels_lock = "//services/imagestats:wheels.lock.json",
    )
    use_repo(pypi, "pypi_imagestats")

    # in a BUILD file: the stack as one handle
    load("@pypi_imagestats//:defs.bzl", "STACK")

`@pypi_stacks//:defs.bzl` lists every stack (`STACKS`), for what is
declared per pair of stacks. Every wheel of every lock becomes a repository of its own, named after its
distribution and sha256 (`whl_<name>_<sha256[:12]>`): two locks that pin the
same file share it, its install action and the image layer made from it.
"""

load("//pypi/private:site_packages.bzl", _site_packages = "site_packages", _stacks = "stacks")
load("//pypi/private:wheel_repo.bzl", _pypi_wheel = "pypi_wheel")

# What the install action imports the installer from (as zips).
_INSTALLER_WHEELS = ["installer", "packaging"]
_TOOL_LOCK = Label("//third_party/build_tools:wheels.lock.json")

def _repo_name(name, sha256):
    return "whl_%s_%s" % (name.replace("-", "_").replace(".", "_"), sha256[:12])

def _python_key(python_info):
    # @@_main~debian~python_3_11_facts//:python.json -> python_3_11
    return python_info.repo_name.split("~")[-1].removesuffix("_facts") or "python"

def _pypi_impl(mctx):
    wheels = {}  # repo name -> dict

    def add(name, w, lock):
        repo = _repo_name(name, w["sha256"])
        if repo not in wheels:
            wheels[repo] = {"name": name, "wheel": w, "lock": str(lock), "installs": {}}
        return repo

    tools = json.decode(mctx.read(_TOOL_LOCK))["wheels"]
    missing = [name for name in _INSTALLER_WHEELS if name not in tools]
    if missing:
        fail("%s pins no %s; the installer needs them" % (_TOOL_LOCK, ", ".join(missing)))
    tool_wheels = []
    for name in _INSTALLER_WHEELS:
        repo = add(name, tools[name], _TOOL_LOCK)
        tool_wheels.append("@%s//:%s" % (repo, tools[name]["filename"]))

    hubs = []
    for mod in mctx.modules:
        for tag in mod.tags.site_packages:
            hubs.append(tag.name)
            python = _python_key(tag.python_info)
            installs = {}
            for name, w in json.decode(mctx.read(tag.wheels_lock))["wheels"].items():
                repo = add(name, w, tag.wheels_lock)
                wheels[repo]["installs"][python] = str(tag.python_info)
                installs[name] = "@%s//:install_%s" % (repo, python)
            _site_packages(
                name = tag.name,
                indexes = tag.indexes,
                installs = installs,
                lock = tag.lock,
                python_info = tag.python_info,
                requirements_in = tag.requirements_in,
                stack_name = tag.name,
                wheels_lock = tag.wheels_lock,
            )
    _stacks(name = "pypi_stacks", hubs = hubs)
    for repo, entry in sorted(wheels.items()):
        w = entry["wheel"]
        _pypi_wheel(
            name = repo,
            distribution = entry["name"],
            filename = w["filename"],
            installs = entry["installs"],
            lock = entry["lock"],
            sha256 = w["sha256"],
            size = w.get("size", 0),
            tool_wheels = tool_wheels,
            urls = [w["url"]],
            version = w["version"],
        )

pypi = module_extension(
    implementation = _pypi_impl,
    doc = "The wheels pinned by each requirements_lock.txt (via its wheels.lock.json): a repository and an install action per wheel, and a site_packages repository per lock.",
    tag_classes = {
        "site_packages": tag_class(attrs = {
            "indexes": attr.label(doc = "The stack's indexes.json (beside its lock): which index each package comes from, the default one for the rest (docs/INDEXES.md): `STACK.indexes`, what pip_lock resolves against and checks the wheel map by. Leave it out for PyPI alone."),
            "lock": attr.label(doc = "The pip-tools lock (requirements_lock.txt) `wheels_lock` was made from: `STACK.lock`, what pip_lock keeps and the gates read. Leave it out for a stack kept by its wheel map alone."),
            "name": attr.string(mandatory = True, doc = "The repository's name (`@<name>//:site_packages`, `@<name>//:defs.bzl`)."),
            "python_info": attr.label(mandatory = True, doc = "The interpreter's facts (`python.json`, from its `_facts` repository, e.g. `@python_3_11_facts//:python.json`; reading it does not unpack the interpreter): its version and site-packages path."),
            "requirements_in": attr.label(doc = "The lock's intent (requirements.in): `STACK.requirements_in`."),
            "wheels_lock": attr.label(mandatory = True, doc = "wheels.lock.json, written by `tools/bazel run //:requirements.update`."),
        }),
    },
)
