"""Letters admin: actions, the moderation queue (approve/reject), CWC office codes, petition batches."""

from django.contrib import admin, messages

from outreach import publish
from outreach.models import CwcOffice, Letter, LetterAction, LetterEvent, PetitionDeliveryBatch, PetitionDeliveryRun
from outreach.services import letter_moderation as moderation
from outreach.services.letter_outbox import letters_mark_hand_delivered


@admin.register(LetterAction)
class LetterActionAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "campaign", "target_rule", "is_active", "created_at"]
    list_filter = ["is_active", "target_rule"]
    search_fields = ["title", "slug"]
    readonly_fields = ["cwc_campaign_id", "created_at", "updated_at"]


class LetterEventInline(admin.TabularInline):
    model = LetterEvent
    extra = 0
    can_delete = False
    readonly_fields = ["status", "detail", "created_at"]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["id", "action", "recipient_name", "channel", "status", "attempts", "created_at"]
    list_filter = ["status", "channel", "action"]
    search_fields = ["id", "bioguide_id", "office_code"]
    list_select_related = ["action"]
    inlines = [LetterEventInline]
    actions = ["approve_letters", "reject_letters", "requeue_failed", "retarget_left", "mark_hand_delivered"]
    readonly_fields = [f.name for f in Letter._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Approve held letters (deliver them)", permissions=["moderate"])
    def approve_letters(self, request, queryset):
        done = sum(
            moderation.letter_approve(letter=letter, by=f"by user {request.user.pk} (admin)") for letter in queryset
        )
        self.message_user(request, f"{done} letter(s) approved.", messages.SUCCESS)

    @admin.action(description="Reject held letters (abusive or threatening)", permissions=["moderate"])
    def reject_letters(self, request, queryset):
        reason = "abusive or threatening content (admin)"
        done = sum(
            moderation.letter_reject(letter=letter, reason=reason, by=f"by user {request.user.pk}")
            for letter in queryset
        )
        self.message_user(request, f"{done} letter(s) rejected.", messages.SUCCESS)

    @admin.action(description="Retry failed letters", permissions=["moderate"])
    def requeue_failed(self, request, queryset):
        done = moderation.letters_requeue_failed(letter_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{done} letter(s) queued again.", messages.SUCCESS)

    @admin.action(description="Look the writer up again (letters whose member left office)", permissions=["moderate"])
    def retarget_left(self, request, queryset):
        ids = list(queryset.filter(status=Letter.Status.TARGET_LEFT).values_list("pk", flat=True))
        for letter_id in ids:
            publish.retarget_letter(letter_id)
        self.message_user(
            request,
            f"{len(ids)} letter(s) sent to be looked up again; each goes to the member its writer's address"
            " names now, or stays held.",
            messages.SUCCESS,
        )

    @admin.action(description="Mark outbox letters delivered by hand (now)", permissions=["hand_deliver"])
    def mark_hand_delivered(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        moved = letters_mark_hand_delivered(letter_ids=ids, by=f"by user {request.user.pk} (admin)")
        self.message_user(
            request,
            f"{len(moved)} letter(s) marked delivered by hand; {len(ids) - len(moved)} were not in the outbox.",
            messages.SUCCESS,
        )

    def has_hand_deliver_permission(self, request):
        return request.user.has_perm("outreach.hand_deliver_letter")

    def has_moderate_permission(self, request):
        return request.user.has_perm("outreach.moderate_letter")


@admin.register(CwcOffice)
class CwcOfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "chamber", "name", "bioguide_id", "active", "synced_at"]
    list_filter = ["chamber", "active"]
    search_fields = ["code", "name", "bioguide_id"]
    readonly_fields = ["code", "chamber", "name", "synced_at", "active"]


@admin.register(PetitionDeliveryBatch)
class PetitionDeliveryBatchAdmin(admin.ModelAdmin):
    list_display = ["petition_slug", "run", "bioguide_id", "scope", "signer_count", "created_at"]
    list_filter = ["petition_slug"]
    readonly_fields = [f.name for f in PetitionDeliveryBatch._meta.fields]


@admin.register(PetitionDeliveryRun)
class PetitionDeliveryRunAdmin(admin.ModelAdmin):
    list_display = ["id", "petition", "status", "run", "letters", "signatures", "error", "created_at"]
    list_filter = ["status"]
    list_select_related = ["petition"]
    readonly_fields = [f.name for f in PetitionDeliveryRun._meta.fields]

    def has_add_permission(self, request):
        return False
