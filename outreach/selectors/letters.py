"""Letters selectors."""
