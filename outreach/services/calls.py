"""Calls services."""
