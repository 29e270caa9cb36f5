"""library_origins: passes on the hermetic interpreter, names a host library."""

from __future__ import annotations

import os
import tempfile
import unittest

from gates.private import library_origins

MAPS = """\
7f0000000000-7f0000001000 r--p 00000000 08:01 1 /opt/root/lib/x86_64-linux-gnu/libc.so.6
7f0000001000-7f0000002000 r-xp 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libstdc++.so.6
7f0000002000-7f0000003000 rw-p 00000000 00:00 0 [heap]
7f0000003000-7f0000004000 r--p 00000000 08:01 3 /opt/site/torch/lib/libtorch.so
"""


class LibraryOriginsTest(unittest.TestCase):
    def test_parses_maps(self) -> None:
        self.assertEqual(
            library_origins.mapped_libraries(MAPS),
            {
                "/opt/root/lib/x86_64-linux-gnu/libc.so.6",
                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/opt/site/torch/lib/libtorch.so",
            },
        )

    def test_names_a_host_library(self) -> None:
        libraries = library_origins.mapped_libraries(MAPS)
        (problem,) = library_origins.outside(libraries, ["/opt/root", "/opt/site"])
        self.assertIn(
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6 is loaded from outside", problem
        )

    def test_follows_symlinks_before_judging(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            root, host = os.path.join(tmp, "root"), os.path.join(tmp, "host")
            os.makedirs(root)
            os.makedirs(host)
            real = os.path.join(host, "libz.so.1")
            open(real, "w").close()
            link = os.path.join(root, "libz.so.1")
            os.symlink(real, link)  # inside the root by name, outside in fact
            self.assertEqual(len(library_origins.outside([link], [root])), 1)
            self.assertEqual(library_origins.outside([real], [host]), [])

    def test_this_interpreter_loads_nothing_from_the_host(self) -> None:
        # Under Bazel: the hermetic interpreter's root and the locked site-packages.
        import numpy  # noqa: F401, the stack's compiled extensions mapped

        usr = os.path.dirname(
            os.path.dirname(os.path.dirname(os.path.realpath(os.__file__)))
        )
        site = os.path.dirname(os.path.dirname(os.path.realpath(numpy.__file__)))
        own = library_origins.own_libraries()
        self.assertTrue(any("numpy" in lib for lib in own))
        self.assertEqual(library_origins.outside(own, [os.path.dirname(usr), site]), [])


if __name__ == "__main__":
    unittest.main()
