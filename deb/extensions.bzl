"""Module extension: roots made of pinned Debian packages.

    debian = use_extension("//deb:extensions.bzl", "debian")
    debian.root(name = "debian_base", groups = ["base"], lock = "//third_party/debian/bookworm:lock.json")
    debian.python_interpreter(name = "python_3_11", lock = "//third_party/debian/bookworm:lock.json")
    use_repo(debian, "debian_base", "python_3_11", "python_3_11_facts")
"""

load("//deb/private:deb_root.bzl", "deb_root")
load("//deb/private:interpreter_facts.bzl", "interpreter_facts")
load("//deb/private:root_programs.bzl", "python_facts", "python_interpreter_build", "python_interpreter_wrapper", "root_binary_build", "root_binary_in_repository_build", "root_binary_wrapper")

def _group_packages(lock, lock_label, groups, exclude_groups = []):
    for group in groups + exclude_groups:
        if group not in lock["groups"]:
            fail("group %r is not in %s (it has %s); add a roots file to the packages/ beside that lock and rerun its `:lock` target (e.g. `tools/bazel run //third_party/debian/bookworm:lock`)." % (group, lock_label, sorted(lock["groups"].keys())))
    excluded = {name: True for group in exclude_groups for name in lock["groups"][group]}
    return sorted({
        name: True
        for group in groups
        for name in lock["groups"][group]
        if name not in excluded
    }.keys())

def _debian_impl(mctx):
    for mod in mctx.modules:
        for tag in mod.tags.root:
            lock = json.decode(mctx.read(tag.lock))
            deb_root(
                name = tag.name,
                lock = tag.lock,
                packages = _group_packages(lock, tag.lock, tag.groups, tag.exclude_groups),
                layout = "tar" if tag.tar else "dir",
            )
        for tag in mod.tags.program:
            lock = json.decode(mctx.read(tag.lock))
            name = tag.binary.rpartition("/")[2]
            deb_root(
                name = tag.name,
                lock = tag.lock,
                packages = _group_packages(lock, tag.lock, tag.groups),
                files = {name + ".sh": root_binary_wrapper(
                    tag.binary,
                    own_loader = tag.wrap,
                    libdir = "usr/lib" if tag.in_repository else "lib",
                )},
                build_file_content = root_binary_in_repository_build(name, tag.binary) if tag.in_repository else root_binary_build(name),
                layout = "dir" if tag.in_repository else "tree",
            )
        for tag in mod.tags.python_interpreter:
            lock = json.decode(mctx.read(tag.lock))
            facts = python_facts(tag.interpreter, lock)
            python_json = json.encode_indent(facts, indent = "  ") + "\n"
            interpreter_facts(
                name = tag.name + "_facts",
                defs = '"""Facts of the interpreter @%s (see python.json)."""\n\nPYTHON = ' % tag.name + json.encode_indent(facts, indent = "    ") + "\n",
                python_json = python_json,
            )
            deb_root(
                name = tag.name,
                lock = tag.lock,
                packages = _group_packages(lock, tag.lock, tag.groups),
                files = {
                    "python.json": python_json,
                    "python3": python_interpreter_wrapper(tag.interpreter),
                },
                build_file_content = python_interpreter_build(),
                layout = "tree",
            )

debian = module_extension(
    implementation = _debian_impl,
    doc = "Makes repositories from groups of a Debian lock (a distribution's lock.json).",
    tag_classes = {
        "program": tag_class(
            doc = "A program from a root, as an sh_binary named after the binary (e.g. @zstd//:zstd).",
            attrs = {
                "binary": attr.string(mandatory = True, doc = "The program, relative to the root, e.g. usr/bin/zstd."),
                "groups": attr.string_list(mandatory = True, doc = "Lock groups whose packages are unpacked into the root."),
                "in_repository": attr.bool(doc = "Unpack the root in the repository at fetch time (a merged-/usr root: the loader in usr/lib): the wrapper `<name>.sh` is then a source file, at the same path in every configuration, for a Make variable a test can run too (`//oci:make_variable.bzl`). Default: a tree artifact made by a build action."),
                "lock": attr.label(mandatory = True, doc = "A lock.json written by a debian_lock target."),
                "name": attr.string(mandatory = True, doc = "The repository's name."),
                "wrap": attr.bool(default = True, doc = "Run through the root's own loader and libraries (False: the program needs only the build machine's libc)."),
            },
        ),
        "python_interpreter": tag_class(
            doc = "A Python interpreter that runs from the root with its own loader and libraries; its facts (version, paths) also in `<name>_facts` (`defs.bzl`, `python.json`), which BUILD files load without unpacking the root.",
            attrs = {
                "groups": attr.string_list(
                    default = ["base", "python"],
                    doc = "Lock groups unpacked into the root: the interpreter's closure and what the image's base layer has (torch needs libstdc++ and libgomp), so tests see the image's libraries.",
                ),
                "interpreter": attr.string(mandatory = True, doc = "The interpreter, relative to the root (`usr/bin/python3.<minor>`): the one place its version is written; the repository's `python.json` and `defs.bzl` give the version, image path and site-packages path derived from it."),
                "lock": attr.label(mandatory = True, doc = "A lock.json written by a debian_lock target."),
                "name": attr.string(mandatory = True, doc = "The repository's name."),
            },
        ),
        "root": tag_class(
            doc = "The packages of some lock groups, minus those of others, unpacked into one root.",
            attrs = {
                "exclude_groups": attr.string_list(doc = "Leave out packages of these groups (e.g. those another layer already has)."),
                "groups": attr.string_list(mandatory = True, doc = "Lock groups whose packages are unpacked into the root."),
                "lock": attr.label(mandatory = True, doc = "A lock.json written by a debian_lock target."),
                "name": attr.string(mandatory = True, doc = "The repository's name."),
                "tar": attr.bool(default = True, doc = "Deliver the root as `:root.tar` (links kept), what `image_layer` and the CA bundle take; False: as the directory `:root`, for files taken one by one (a keyring) or a root run in place."),
            },
        ),
    },
)
