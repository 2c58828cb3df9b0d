"""The benchmark suite's parent side: instances, launching solver processes, checking, reporting.

Nothing here imports ortools or highspy: each solver runs in a process of its
own (``benchmarks/workers``), since ortools 9.15 and highspy 1.15 cannot be
imported into one Python process, and so that each one's peak memory is its own.
"""
