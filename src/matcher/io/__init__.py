"""Stage 1, reading and writing: instance files, plan files read back, Chinese labels."""
