"""Calls views."""
