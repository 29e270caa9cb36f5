"""Parallel, sha256-checked downloads for repository rules (shared by //deb and //pypi)."""

def download_all(rctx, downloads):
    """Starts every download, then waits for each: Bazel runs them in parallel.

    Each file is checked against its sha256 and served from the repository
    cache when it is there.

    Args:
      rctx: the repository context.
      downloads: a list of structs with `key` (what the caller calls it),
        `urls`, `output` and `sha256`.

    Returns:
      The keys of the downloads that failed (no URL answered, or the sha256
      differed; Bazel's warning above says which), in order.
    """
    pending = [
        (d.key, rctx.download(
            url = d.urls,
            output = d.output,
            sha256 = d.sha256,
            block = False,
            allow_fail = True,
        ))
        for d in downloads
    ]
    return [key for key, token in pending if not token.wait().success]
