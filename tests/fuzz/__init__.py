"""Fuzzing the readers (issue 17, item 6): mutators, renderers and the CLI oracle.

Shared by the CI tier (``tests/test_fuzz_readers.py``, Hypothesis) and the
off-CI campaign (``benchmarks/fuzz.py``, a seeded loop over the same mutators).
"""
