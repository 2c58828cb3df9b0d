"""Stage 7, a checked plan's files: assignments, unassigned, alternates, summary.json."""
