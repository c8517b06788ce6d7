"""Calls selectors."""
