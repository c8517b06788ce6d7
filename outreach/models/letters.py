"""Letter actions, letters and their deliveries."""
