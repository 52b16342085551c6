"""What the tests and the benchmarks share, imported as ``tests.support.<module>``.

* ``conv``: random convolution calls (hypothesis) and PyTorch's float64 answer;
* ``notebooks``: ``SEQUENCE``, the lessons in reading order;
* ``scripts``: ``load_script``, a file of ``scripts/`` as a module;
* ``cases``: the states a widget test walks through;
* ``widgets``: widget assertions, the Node runner and the Node replay's expected view;
* ``pixels``: reading widgets from a page and comparing them with Python's pictures;
* ``lab_harness``: a throw-away JupyterLab and headless Chromium (docs/browser_testing.md).

The repository root must be on ``sys.path``: pytest puts it there (``pythonpath`` in
pyproject.toml), and the benchmarks run as ``python -m benchmarks.run`` from the root.
Nothing here inserts into ``sys.path``.
"""
