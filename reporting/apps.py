from django.apps import AppConfig


class ReportingConfig(AppConfig):
    """Metrics, rollups, charts, the dashboard and the metrics API, on top of the domain apps."""

    name = "reporting"
    verbose_name = "Reporting"
