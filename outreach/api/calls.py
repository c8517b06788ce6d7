"""Calls api."""
