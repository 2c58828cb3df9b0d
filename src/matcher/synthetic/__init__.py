"""Stage 10, synthetic instances for tests, what-ifs and benchmarks."""
