from django.contrib import admin
from django.utils.html import format_html_join

from congress.models import DataLoad
from congress.turnover import report_lines


@admin.register(DataLoad)
class DataLoadAdmin(admin.ModelAdmin):
    """Each load with its change report: who joined, left or moved, and the queued work it touched."""

    list_display = ("loaded_at", "congress", "crosswalk_congress", "crosswalk_congress_source", "source", "changes")
    readonly_fields = ("loaded_at", "congress", "crosswalk_congress", "crosswalk_congress_source", "source",
                       "upstream_date", "change_report", "counts")  # fmt: skip
    exclude = ("report", "crosswalk_digest")

    @admin.display(description="changes")
    def changes(self, load: DataLoad) -> str:
        report = load.report or {}
        return ", ".join(f"{k.replace('_', ' ')}: {len(report.get(k) or [])}" for k in ("joined", "left", "moved"))

    @admin.display(description="change report")
    def change_report(self, load: DataLoad) -> str:
        return format_html_join("\n", "<div>{}</div>", ((line,) for line in report_lines(load.report or {})))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
