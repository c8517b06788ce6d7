"""Calls admin."""
