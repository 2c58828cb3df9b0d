"""Stage 8, planning around a plan: re-plans, what-if scenarios, their sweeps."""
