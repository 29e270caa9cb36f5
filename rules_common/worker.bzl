"""Actions whose tool may run as a persistent worker (rules_common/worker.py)."""

# Bazel hands such an action to a worker of its mnemonic when the spawn
# strategy allows (locally, sandboxed by --worker_sandboxing); a remote
# executor, or another strategy, runs the tool once on `@PARAMS`.
WORKER_REQUIREMENTS = {
    "requires-worker-protocol": "json",
    "supports-workers": "1",
}

def worker_args(ctx):
    """An Args whose contents go through a parameter file, as workers need.

    Args:
      ctx: the rule's context.

    Returns:
      an Args object.
    """
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    return args
