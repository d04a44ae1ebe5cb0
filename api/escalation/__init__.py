"""escalation domain."""
