"""Stage 9, the HTML report of a plan or of a scenario sweep."""
