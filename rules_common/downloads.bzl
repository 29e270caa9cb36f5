"""Parallel, sha256-checked downloads for repository rules (shared by //deb and //pypi)."""

def download_all(rctx, downloads):
    """Starts every download, then waits for each: Bazel runs them in parallel.

    Each file is checked against its sha256 and served from the repository
    cache when it is there. A download that fails is tried once more without
    the checksum, to tell the two failures apart: nothing answered (the file
    is gone or the network is down), or a file came whose sha256 is not the
    pinned one (it changed under the same name: possible tampering).

    Args:
      rctx: the repository context.
      downloads: a list of structs with `key` (how messages name it, e.g.
        "crane 0.20.7+ds1-5"), `urls`, `output` and `sha256`.

    Returns:
      One struct per failed download, in order: `key`, `mismatch` (True: a
      file came, with sha256 `got`; False: no URL answered).
    """
    pending = [
        (d, rctx.download(
            url = d.urls,
            output = d.output,
            sha256 = d.sha256,
            block = False,
            allow_fail = True,
        ))
        for d in downloads
    ]
    failed = []
    for d, token in pending:
        if token.wait().success:
            continue
        probe = rctx.download(url = d.urls, output = d.output + ".unverified", allow_fail = True)
        rctx.delete(d.output + ".unverified")
        failed.append(struct(key = d.key, mismatch = probe.success, got = probe.sha256 if probe.success else ""))
    return failed

def describe_failures(failed, label, regenerate):
    """The message for `download_all`'s failures, each kind with its advice.

    Args:
      failed: download_all's result.
      label: the lock that pins the files.
      regenerate: the command that rewrites that lock.

    Returns:
      The message.
    """
    lines = []
    for f in failed:
        if f.mismatch:
            lines.append(
                "  %s: checksum mismatch: the file downloaded has sha256 %s, not the one %s pins: " % (f.key, f.got, label) +
                "it changed under the same name, possible tampering; do NOT regenerate the lock blindly " +
                "(compare with another mirror first)",
            )
        else:
            lines.append(
                "  %s: unreachable or gone from every URL: check the network or proxy; if the file was " % f.key +
                "removed upstream (Debian drops superseded versions), regenerate the lock: %s" % regenerate,
            )
    return "\n".join(lines)
