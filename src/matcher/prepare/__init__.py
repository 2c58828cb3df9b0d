"""Stage 2, from data to pairs: the encoded instance, eligibility (rules 2 and 3), fit."""
