"""Call tasks (queue: calls)."""
