"""Letters admin."""
