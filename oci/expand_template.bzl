"""Public API: `expand_template`, the shape of aspect_bazel_lib's, for BUILD files written for rules_oci.

    load("@mlimage//oci:expand_template.bzl", "expand_template")
    # in place of load("@aspect_bazel_lib//lib:expand_template.bzl", "expand_template")
"""

load("//oci/private:expand_template.bzl", "expand_template_rule")

def expand_template(name, template, out = None, substitutions = {}, stamp_substitutions = {}, stamp = -1, data = [], is_executable = False, **kwargs):
    """A file from a template with substitutions; stamped ones only under `--stamp`.

    As aspect_bazel_lib's: `template` is a file or a list of lines; each of
    `substitutions` replaces every occurrence; `stamp_substitutions` apply
    too when stamping, after `{{KEY}}` in their values is filled from the
    workspace status, so an unstamped build keeps the template's value.

    Args:
      name: target name.
      template: the template, a label or a list of lines.
      out: the output file (default: `name`).
      substitutions: FROM -> TO, always.
      stamp_substitutions: FROM -> TO, under `--stamp` only.
      stamp: 1 always stamp, 0 never, -1 (default) as `--stamp` says.
      data: files `$(location)` in substitutions may name.
      is_executable: make the output executable.
      **kwargs: common attributes.
    """
    lines = type(template) == "list"
    expand_template_rule(
        name = name,
        template = None if lines else template,
        template_lines = template if lines else [],
        out = out or name,
        substitutions = substitutions,
        stamp_substitutions = stamp_substitutions,
        stamp = {1: True, 0: False}.get(stamp) if stamp != -1 else select({
            Label("//oci:stamped"): True,
            "//conditions:default": False,
        }),
        data = data,
        is_executable = is_executable,
        **kwargs
    )
