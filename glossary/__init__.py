"""Plain-English explanations of what a GP record says."""
