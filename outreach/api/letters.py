"""Letters api."""
