"""Public API: what rules_oci's examples use from aspect_bazel_lib, with its shapes.

    load("@mlimage//oci:bazel_lib.bzl", "copy_file", "platform_transition_filegroup", "run_binary")
    # in place of @aspect_bazel_lib//lib:copy_file.bzl, :transitions.bzl, :run_binary.bzl

(`expand_template` is in `//oci:expand_template.bzl`, `assert_contains` in
`//oci:testing.bzl`.) One difference on purpose: `copy_file` links, never
copies the bytes.
"""

load(
    "//oci/private:bazel_lib.bzl",
    _copy_file_rule = "copy_file_rule",
    _platform_transition_filegroup = "platform_transition_filegroup",
    _run_binary_rule = "run_binary_rule",
)

platform_transition_filegroup = _platform_transition_filegroup

def copy_file(name, src, out, is_executable = False, allow_symlink = False, **kwargs):
    """`out` is `src` under another name (a link Bazel makes, never a copy).

    Args:
      name: target name.
      src: the file (a label; a `select` works).
      out: the output's name.
      is_executable: mark the output executable.
      allow_symlink: accepted for aspect_bazel_lib's shape.
      **kwargs: common attributes.
    """
    _copy_file_rule(name = name, src = src, out = out, is_executable = is_executable, allow_symlink = allow_symlink, **kwargs)

def run_binary(name, tool, srcs = [], outs = [], out_dirs = [], args = [], env = {}, mnemonic = "RunBinary", progress_message = None, execution_requirements = {}, **kwargs):
    """Runs `tool` once as an action, its outputs declared.

    Args:
      name: target name.
      tool: the program (built for the exec platform).
      srcs: inputs.
      outs: output files.
      out_dirs: output directories.
      args: arguments; `$(location)` of srcs, outs and the tool expands, `$@`
        is the one output and `$(RULEDIR)` the package's output directory.
      env: environment, expanded as args.
      mnemonic: the action's mnemonic.
      progress_message: the action's progress message.
      execution_requirements: the action's execution requirements.
      **kwargs: common attributes.
    """
    _run_binary_rule(
        name = name,
        tool = tool,
        srcs = srcs,
        outs = outs,
        out_dirs = out_dirs,
        args = args,
        env = env,
        mnemonic = mnemonic,
        progress_message = progress_message or "",
        execution_requirements = execution_requirements,
        **kwargs
    )
