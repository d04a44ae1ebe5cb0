"""safety domain."""
