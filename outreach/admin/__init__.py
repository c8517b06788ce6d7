from outreach.admin import calls, letters  # noqa: F401
