"""Orders and their matching: what happens to a county's need, from submission to a stored Match and its outcome."""
