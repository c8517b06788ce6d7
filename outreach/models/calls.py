"""Call actions, sessions and legs."""
