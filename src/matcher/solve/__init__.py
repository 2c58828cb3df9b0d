"""Stage 4, solving: LP and column generation, bounds, CP-SAT and HiGHS, the pipeline."""
