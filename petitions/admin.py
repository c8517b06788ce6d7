from django.contrib import admin

from infra.admin_csv import export_csv
from organizing.roles import can_see_personal_data
from petitions.models import Petition, Signature
from petitions.selectors import signature_counts


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "campaign", "status", "goal", "confirmed", "pending", "created_at")
    list_filter = ("status", "campaign", "target_kind", "confirmation_required")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    actions = [export_csv]

    def get_readonly_fields(self, request, obj=None):
        # People endorsed this exact text: once anyone has signed, it cannot change under them.
        if obj is not None and obj.signatures.exists():
            return ("petition_text",)
        return ()

    @admin.display(description="Confirmed")
    def confirmed(self, obj):
        return signature_counts(petition_id=obj.pk).confirmed

    @admin.display(description="Pending")
    def pending(self, obj):
        return signature_counts(petition_id=obj.pk).pending

    def csv_columns(self, request):
        return [
            ("slug", lambda o: o.slug),
            ("title", lambda o: o.title),
            ("status", lambda o: o.status),
            ("goal", lambda o: o.goal),
            ("confirmed", lambda o: signature_counts(petition_id=o.pk).confirmed),
            ("pending", lambda o: signature_counts(petition_id=o.pk).pending),
        ]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_filter = ("status", "petition", "district_state", "district_accuracy", "public_display")
    list_select_related = ("petition", "contact")
    date_hierarchy = "created_at"
    actions = [export_csv]
    readonly_fields = (
        "petition",
        "contact",
        "public_id",
        "ref_code",
        "status",
        "source_code",
        "referrer",
        "district_state",
        "district",
        "district_congress",
        "district_accuracy",
        "confirmation_sends",
        "confirmed_at",
        "thanked_at",
        "created_at",
    )
    exclude = ("ip_hash", "ua_hash", "idempotency_key")

    def has_add_permission(self, request):
        return False  # signatures come from signers; counts are kept by the sign path

    def get_list_display(self, request):
        base = ("public_id", "petition", "status", "district_state", "district", "created_at")
        return (*base[:2], "signer_email", "signer_name", *base[2:]) if can_see_personal_data(request.user) else base

    def get_search_fields(self, request):
        return ("contact__email", "contact__family_name") if can_see_personal_data(request.user) else ("public_id",)

    def get_readonly_fields(self, request, obj=None):
        fields = self.readonly_fields
        return fields if can_see_personal_data(request.user) else tuple(f for f in fields if f != "contact")

    def get_exclude(self, request, obj=None):
        return self.exclude if can_see_personal_data(request.user) else (*self.exclude, "contact")

    @admin.display(description="Email")
    def signer_email(self, obj):
        return obj.contact.email

    @admin.display(description="Name")
    def signer_name(self, obj):
        return f"{obj.contact.given_name} {obj.contact.family_name}".strip()

    def csv_columns(self, request):
        cols = [
            ("id", lambda s: s.public_id),
            ("petition", lambda s: s.petition.slug),
            ("status", lambda s: s.status),
            ("created_at", lambda s: s.created_at.isoformat()),
            ("district_state", lambda s: s.district_state),
            ("district", lambda s: s.district),
            ("source_code", lambda s: s.source_code),
            ("comment", lambda s: s.comment),
        ]
        if can_see_personal_data(request.user):
            cols += [
                ("email", lambda s: s.contact.email),
                ("given_name", lambda s: s.contact.given_name),
                ("family_name", lambda s: s.contact.family_name),
                ("postal_code", lambda s: s.contact.postal_code),
            ]
        return cols
