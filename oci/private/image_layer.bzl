"""image_layer: one reproducible layer tar from files, trees, directories and links."""

load("//rules_common:worker.bzl", "WORKER_REQUIREMENTS", "worker_args")
load(":providers.bzl", "ImageLayerInfo")

def _path_in_image(package_dir, short_path, strip_prefix):
    path = short_path
    if strip_prefix:
        if not path.startswith(strip_prefix + "/"):
            fail("%s is not under strip_prefix %r" % (short_path, strip_prefix))
        path = path[len(strip_prefix) + 1:]
    return package_dir.rstrip("/") + "/" + path

def _directory_entry(path, spec):
    # "MODE" or "MODE UID GID"
    fields = spec.split(" ")
    entry = {"kind": "dir", "dest": path, "mode": fields[0]}
    if len(fields) == 3:
        entry["uid"] = int(fields[1])
        entry["gid"] = int(fields[2])
    elif len(fields) != 1:
        fail("directories[%r] = %r: expected \"MODE\" or \"MODE UID GID\"" % (path, spec))
    return entry

def _file_entry(f, dest, modes):
    entry = {"kind": "file", "src": f.path, "dest": dest}
    if dest in modes:
        entry["mode"] = modes.pop(dest)
    return entry

def _image_layer_impl(ctx):
    entries = []
    inputs = []
    modes = dict(ctx.attr.modes)
    for target, dest in ctx.attr.trees.items():
        for f in target.files.to_list():
            entries.append({"kind": "tar" if f.basename.endswith(".tar") else "tree", "src": f.path, "dest": dest})
            inputs.append(f)
    for target, dest in ctx.attr.files.items():
        files = target.files.to_list()
        if len(files) != 1:
            fail("files: %s must be exactly one file, got %d" % (target.label, len(files)))
        entries.append(_file_entry(files[0], dest, modes))
        inputs.append(files[0])
    for f in ctx.files.srcs:
        entries.append(_file_entry(f, _path_in_image(ctx.attr.package_dir, f.short_path, ctx.attr.strip_prefix), modes))
        inputs.append(f)
    if modes:
        fail("modes names %s, where no file of files or srcs lands" % ", ".join(sorted(modes)))
    for path, spec in ctx.attr.directories.items():
        entries.append(_directory_entry(path, spec))
    for path, target in ctx.attr.symlinks.items():
        entries.append({"kind": "symlink", "dest": path, "target": target})

    spec = ctx.actions.declare_file(ctx.label.name + ".spec.json")
    ctx.actions.write(spec, json.encode_indent({"entries": entries}, indent = "  "))
    tar = ctx.actions.declare_file(ctx.label.name + ".tar")
    descriptor = ctx.actions.declare_file(ctx.label.name + ".tar.json")
    args = worker_args(ctx)
    args.add_all(["--spec", spec, "--out", tar, "--descriptor-out", descriptor])
    ctx.actions.run(
        executable = ctx.executable._layer_tar,
        arguments = [args],
        inputs = inputs + [spec],
        outputs = [tar, descriptor],
        execution_requirements = WORKER_REQUIREMENTS,
        mnemonic = "ImageLayer",
        progress_message = "Writing image layer %{label}",
    )
    return [
        DefaultInfo(files = depset([tar])),
        OutputGroupInfo(descriptor = depset([descriptor])),
        ImageLayerInfo(tar = tar, descriptor = descriptor, layer_name = ctx.attr.layer_name or ctx.label.name),
    ]

image_layer = rule(
    implementation = _image_layer_impl,
    doc = """One uncompressed layer tar, byte-for-byte reproducible: entries sorted,
mtime 0, owner 0:0 unless given, modes normalised, no `.pyc`. Use it in
`oci_image(tars = [...])`. A file's mode is never read from the disk (Bazel
makes every input executable on a remote worker, bazelbuild/bazel#12818, so
the image would differ between a local and a remote build): files are 0644
unless `modes` says otherwise; a tar's files keep their execute bits.""",
    attrs = {
        "directories": attr.string_dict(doc = "Image path -> \"MODE\" or \"MODE UID GID\", e.g. {\"/tmp\": \"1777\"}."),
        "files": attr.label_keyed_string_dict(allow_files = True, doc = "Single file -> image path."),
        "layer_name": attr.string(doc = "Name recorded for the layer in the manifest (default: the target name)."),
        "modes": attr.string_dict(doc = "Image path of a `files` or `srcs` file -> its octal mode, e.g. {\"/app/run.sh\": \"0755\"} (default 0644)."),
        "package_dir": attr.string(default = "/", doc = "Image directory that srcs land under."),
        "srcs": attr.label_list(allow_files = True, doc = "Files placed at package_dir/<workspace path minus strip_prefix>."),
        "strip_prefix": attr.string(doc = "Workspace path prefix removed from srcs."),
        "symlinks": attr.string_dict(doc = "Image path -> link target."),
        "trees": attr.label_keyed_string_dict(allow_files = True, doc = "Directory or uncompressed `.tar` -> image path its contents land at. A tree with symlinks should come as a tar (a `debian.root`'s `:root.tar`): Bazel 7 resolves links in a source directory when it hashes an action for a remote cache or stages it on a worker (bazelbuild/bazel#23620), so a directory's links would be resolved on the build machine."),
        "_layer_tar": attr.label(default = "//oci/private:layer_tar", executable = True, cfg = "exec"),
    },
)
