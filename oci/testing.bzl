"""Public API: assertions on built images, with the shape of rules_oci's example helpers.

    load("@mlimage//oci:testing.bzl", "assert_contains", "assert_json_matches", "assert_oci_config", "assert_oci_image_command")

`assert_oci_config` takes the attributes of the `assert_oci_config` macro in
rules_oci's `examples/assert.bzl`, and `assert_contains` and
`assert_json_matches` those of aspect_bazel_lib's, so rules_oci's example
BUILD files run their assertions against our rules with only their load
lines changed. `assert_oci_image_command` takes that file's attributes too,
and runs the image with no docker engine: unpacked, in bubblewrap, as its
user, without network. All are tests (`bazel test`) that run a small Python
tool; `assert_json_matches` filters with jq (a pinned .deb) first, as
aspect_bazel_lib's does, no docker.
"""

load("@bazel_skylib//rules:write_file.bzl", "write_file")
load("//oci/private:image_assert.bzl", "file_contains_test", "image_command_test", "image_config_test", "json_matches_test")

_UNSET = struct(unset = True)

def assert_oci_config(
        name,
        image,
        entrypoint_eq = _UNSET,
        cmd_eq = _UNSET,
        env_eq = None,
        exposed_ports_eq = None,
        volumes_eq = None,
        user_eq = None,
        workdir_eq = None,
        architecture_eq = None,
        os_eq = None,
        variant_eq = None,
        labels_eq = None,
        created_eq = None,
        history_eq = None,
        platform = None,
        **kwargs):
    """A test that the image's config has the given fields.

    Each `*_eq` given is compared with the config; `entrypoint_eq = None` or
    `cmd_eq = None` asserts there is none. `env_eq` is a dict compared, in
    its order, with the config's `Env`; `exposed_ports_eq` and `volumes_eq`
    are lists.

    Args:
      name: test name.
      image: an oci_image (or an oci_image_index, with `platform`).
      entrypoint_eq: the expected `Entrypoint` (a list, or None for none).
      cmd_eq: the expected `Cmd` (a list, or None for none).
      env_eq: the expected env, a dict in order.
      exposed_ports_eq: the expected exposed ports.
      volumes_eq: the expected volumes.
      user_eq: the expected `User`.
      workdir_eq: the expected `WorkingDir`.
      architecture_eq: the expected architecture.
      os_eq: the expected os.
      variant_eq: the expected variant.
      labels_eq: the expected labels, a dict.
      created_eq: the expected `created`.
      history_eq: the expected history, a list of dicts.
      platform: `os/arch` of the image to check when `image` is an index (ours).
      **kwargs: common test attributes (tags, size, ...).
    """
    config = {}
    if entrypoint_eq != _UNSET:
        config["Entrypoint"] = entrypoint_eq
    if cmd_eq != _UNSET:
        config["Cmd"] = cmd_eq
    if env_eq:
        config["Env"] = ["%s=%s" % (k, v) for k, v in env_eq.items()]
    if workdir_eq:
        config["WorkingDir"] = workdir_eq
    if exposed_ports_eq:
        config["ExposedPorts"] = {port: {} for port in exposed_ports_eq}
    if volumes_eq:
        config["Volumes"] = {volume: {} for volume in volumes_eq}
    if user_eq:
        config["User"] = user_eq
    if labels_eq:
        config["Labels"] = labels_eq
    expected = {}
    for key, value in (
        ("os", os_eq),
        ("architecture", architecture_eq),
        ("variant", variant_eq),
        ("created", created_eq),
        ("history", history_eq),
    ):
        if value:
            expected[key] = value
    if config:
        expected["config"] = config
    write_file(
        name = name + "_expected",
        out = name + ".expected.json",
        content = [json.encode_indent(expected)],
        tags = kwargs.get("tags"),
        testonly = True,
    )
    image_config_test(
        name = name,
        image = image,
        expected = ":%s_expected" % name,
        platform = platform,
        **kwargs
    )

def assert_contains(name, actual, expected, **kwargs):
    """A test that the file `actual` holds the text `expected`.

    Args:
      name: test name.
      actual: the file to search.
      expected: the text it must hold.
      **kwargs: common test attributes.
    """
    file_contains_test(name = name, actual = actual, expected = expected, **kwargs)

def assert_json_matches(name, file1, file2, filter1 = ".", filter2 = ".", **kwargs):
    """A test that two JSON files, each through a jq filter, hold the same values.

    As aspect_bazel_lib's: jq (a pinned sid .deb) applies `filter1` to
    `file1` and `filter2` to `file2` at build time; the test compares the two
    results as JSON (keys in any order) and prints a diff when they differ.

    Args:
      name: test name.
      file1: a JSON file.
      file2: another JSON file.
      filter1: a jq filter for file1; `.` is the whole file.
      filter2: a jq filter for file2.
      **kwargs: common test attributes.
    """
    json_matches_test(name = name, file1 = file1, file2 = file2, filter1 = filter1, filter2 = filter2, **kwargs)

def assert_oci_image_command(name, image, args = [], exit_code_eq = None, output_eq = None, **kwargs):
    """A test that runs the image's command and checks its exit code and output.

    As `docker run IMAGE ARGS`: the entrypoint, then `args` or else the
    image's cmd, as the image's user, in its working directory, with its env
    alone; here in bubblewrap (a pinned .deb), the image unpacked as the
    root, no network. stdout and stderr are compared together, exactly.

    Args:
      name: test name.
      image: an oci_image for this machine's CPU.
      args: arguments that replace the image's cmd.
      exit_code_eq: the exit code expected.
      output_eq: the output expected (stdout and stderr together).
      **kwargs: common test attributes.
    """
    if exit_code_eq == None and output_eq == None:
        fail("assert_oci_image_command %s: give exit_code_eq or output_eq, or it asserts nothing" % name)
    image_command_test(
        name = name,
        image = image,
        args_ = args,
        exit_code_eq = -1 if exit_code_eq == None else exit_code_eq,
        check_output = output_eq != None,
        output_eq = output_eq or "",
        **kwargs
    )
