"""Calls admin. Supporters' phones are never listed; a blocked phone or IP is entered in clear and kept
only as its keyed hash."""

from django import forms
from django.contrib import admin

from outreach.models import CallAction, CallBlock, CallFeedback, CallLeg, CallSession


@admin.register(CallAction)
class CallActionAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "target_rule", "target_order", "is_active", "after_hours")
    list_filter = ("is_active", "target_rule", "campaign")
    search_fields = ("name", "campaign__name")


class CallLegInline(admin.TabularInline):
    model = CallLeg
    extra = 0
    can_delete = False
    fields = ("position", "attempt", "name", "office_kind", "office_label", "status", "duration", "after_hours")
    readonly_fields = fields


class CallFeedbackInline(admin.TabularInline):
    model = CallFeedback
    extra = 0
    can_delete = False
    fields = ("target_key", "outcome", "notes", "updated_at")
    readonly_fields = fields


@admin.register(CallSession)
class CallSessionAdmin(admin.ModelAdmin):
    list_display = ("id", "campaign", "direction", "status", "outcome", "district_state", "district", "created_at")
    list_filter = ("status", "outcome", "direction", "campaign")
    date_hierarchy = "created_at"
    exclude = ("phone", "phone_hash", "ip_hash")
    readonly_fields = (
        "action", "campaign", "contact", "direction", "status", "outcome", "postal_code", "district_state",
        "district", "district_congress", "split_zip", "caller_id", "twilio_sid", "consent_text", "source",
        "prompts", "error", "duration", "answered_at", "connected_at", "ended_at",
    )  # fmt: skip
    inlines = [CallLegInline, CallFeedbackInline]

    def has_add_permission(self, request):
        return False


class CallBlockForm(forms.ModelForm):
    value = forms.CharField(max_length=64, help_text="The phone number or IP address to block (not stored in clear).")

    class Meta:
        model = CallBlock
        fields = ("kind", "reason", "expires_at")

    def clean(self):
        from django.core.exceptions import ValidationError

        from outreach.services.call_limits import call_block_digest

        data = super().clean()
        if data is not None and data.get("kind") and "value" in data:
            try:
                self.instance.value_hash, self.instance.label = call_block_digest(
                    kind=data["kind"], value=data["value"]
                )
            except ValidationError as exc:
                raise forms.ValidationError(exc.message_dict) from exc
        return data


@admin.register(CallBlock)
class CallBlockAdmin(admin.ModelAdmin):
    form = CallBlockForm
    list_display = ("kind", "label", "reason", "expires_at", "created_at")
    list_filter = ("kind",)
