"""Stage 6, reading a plan: explanations, alternates, supply shortfalls, the plan view."""
