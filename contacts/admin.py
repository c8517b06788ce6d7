"""Contacts in the admin. Names, emails, phones and addresses show only to staff holding
contacts.view_personal_data; others see ids, districts and consent states, and cannot search by email
(a search box would be an oracle for "did this address sign?")."""

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from contacts.models import PERSONAL_FIELDS, ConsentRecord, ConsentText, Contact, Tag
from contacts.services import contact_erase, contact_export
from infra.admin_csv import export_csv
from organizing.roles import can_see_personal_data

OTHER_FIELDS = (
    "region",
    "district_state",
    "district",
    "district_congress",
    "district_accuracy",
    "source",
    "tags",
    "erased_at",
    "created_at",
    "updated_at",
)


class ConsentRecordInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    can_delete = False
    fields = ("channel", "granted", "consent_text", "source", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # consent history is appended by the services, never edited by hand


@admin.action(description="Export all data held about the selected people (JSON)")
def export_personal_data(modeladmin, request, queryset):
    if not can_see_personal_data(request.user):
        raise PermissionDenied
    data = [contact_export(contact=c) for c in queryset]
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    return response


@admin.action(description="Erase the selected people (anonymize; counts stay)", permissions=["delete"])
def erase_people(modeladmin, request, queryset):
    if not can_see_personal_data(request.user):
        raise PermissionDenied
    for contact in queryset:
        contact_erase(contact=contact)
    modeladmin.message_user(request, f"Erased {queryset.count()} people.", messages.SUCCESS)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_filter = ("district_state", "district_accuracy", "source", "tags")
    inlines = [ConsentRecordInline]
    actions = [export_csv, export_personal_data, erase_people]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_see_personal_data(request.user):
            actions.pop("export_personal_data", None)
            actions.pop("erase_people", None)
        return actions

    readonly_fields = ("erased_at", "created_at", "updated_at")

    def get_list_display(self, request):
        base = ("id", "district_state", "district", "source", "created_at")
        return ("id", "email", "given_name", "family_name", *base[1:]) if can_see_personal_data(request.user) else base

    def get_search_fields(self, request):
        return ("email", "family_name", "postal_code") if can_see_personal_data(request.user) else ()

    def get_fields(self, request, obj=None):
        return (*PERSONAL_FIELDS, *OTHER_FIELDS) if can_see_personal_data(request.user) else OTHER_FIELDS

    def csv_columns(self, request):
        fields = ["id", *(PERSONAL_FIELDS if can_see_personal_data(request.user) else ()), "region", "district_state"]
        fields += ["district", "district_congress", "district_accuracy", "source", "created_at"]
        return [(f, (lambda o, f=f: getattr(o, f))) for f in fields]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "created_at")
    readonly_fields = ("key", "version", "text", "created_at")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ("name",)
