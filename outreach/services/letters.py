"""Letters services."""
