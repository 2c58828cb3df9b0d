"""Stage 11, the command line: commands and the terminal's progress line."""
