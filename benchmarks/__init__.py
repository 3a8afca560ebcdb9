"""Speed, memory and accuracy benchmarks of xentlab (``make bench``).

A package so that the benchmarks are imported like any other code, from the
repository root: ``python -m benchmarks.run`` (what ``make bench`` runs),
``python -m benchmarks.accuracy``, and ``from benchmarks import accuracy, run``
in the tests (pytest puts the repository root on ``sys.path``; see
``pythonpath`` in pyproject.toml). It is not part of the xentlab distribution.
"""
