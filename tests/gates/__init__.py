"""Gates: checks of the environment they run in (``python3 -m gates.<x>``).

``torch_gate``, ``numpy_gate``, ``bitsandbytes_gate``, ``embedding_gate`` and
``service_gate`` import only the standard library and the locked packages, so
they can run with another interpreter (an image's) against another root.
"""
