from django.contrib import admin

from infra.admin_csv import export_csv
from organizing.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "status", "starts_at", "ends_at", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    actions = [export_csv]

    def csv_columns(self, request):
        return [
            (f, (lambda o, f=f: getattr(o, f)))
            for f in ("slug", "name", "status", "starts_at", "ends_at", "created_at")
        ]
