"""A CSV export action for admin lists: streamed, formulas neutralized, personal columns only for staff
who hold contacts.view_personal_data."""

from django.contrib import admin

from campaign.csvexport import csv_response


@admin.action(description="Export selected rows as CSV")
def export_csv(modeladmin, request, queryset):
    columns = modeladmin.csv_columns(request)

    def rows():
        yield [label for label, _ in columns]
        for obj in queryset.iterator(chunk_size=2000):
            yield [getter(obj) for _, getter in columns]

    return csv_response(rows(), filename=f"{modeladmin.model._meta.model_name}s.csv")
