"""Letter tasks (queue: letters)."""
