"""Stage 5, the independent checker: shares no code with the model builder."""
