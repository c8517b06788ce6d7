"""Letters views."""
