"""Letters pages: the public letter page, and organizers' printable outbox batches."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from congress.selectors import ZIP_RE
from infra.csvexport import csv_response
from infra.throttles import throttle_wait
from organizing.models import Campaign
from organizing.roles import admin_required
from outreach.delivery import outbox
from outreach.lookup import LookupUnavailable
from outreach.models import LetterAction, PetitionDeliveryBatch
from outreach.selectors import letters as selectors
from outreach.services import letter_compose as compose
from outreach.services.letter_errors import LetterInputError
from outreach.views import certainty


class LetterForm(forms.Form):
    prefix = forms.ChoiceField(choices=[])  # type: ignore[assignment]  # a field named like BaseForm.prefix
    given_name = forms.CharField(max_length=100, label="First name")
    family_name = forms.CharField(max_length=100, label="Last name")
    email = forms.EmailField(max_length=254)
    phone = forms.CharField(max_length=30, required=False)
    address_line = forms.CharField(max_length=200, label="Street address")
    locality = forms.CharField(max_length=100, label="City")
    region = forms.RegexField(r"^[A-Za-z]{2}$", max_length=2, label="State")
    postal_code = forms.RegexField(ZIP_RE, max_length=10, label="ZIP code")
    subject = forms.CharField(max_length=200, required=False)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Your own words")
    consent = forms.BooleanField(label="Deliver my letter, with my name and address, to my members of Congress.")

    def __init__(self, *args, action: LetterAction, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["prefix"]).choices = [(p, p) for p in settings.LETTERS_PREFIXES]
        if not action.subject_editable:
            del self.fields["subject"]
        if not action.message_editable:
            del self.fields["message"]
        else:
            # Set after construction, max_length alone adds no validator: add it (and the browser's limit).
            limit = settings.LETTERS_MESSAGE_MAX_LENGTH
            message = cast(forms.CharField, self.fields["message"])
            message.max_length = limit
            message.validators.append(MaxLengthValidator(limit))
            message.widget.attrs["maxlength"] = str(limit)
            message.initial = action.message_prompt

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("consent")
        # A form always posts its fields; an untouched box means "nothing to add", not "empty letter".
        for key in ("subject", "message"):
            if not data.get(key):
                data[key] = None
        return data


def _recipients(draft) -> str:
    return ",".join(sorted(leg.bioguide_id for leg in draft.legislators))


def _found_by(draft) -> str:
    """How the preview's recipients were found: "address" (the geocoder placed the street address), "zip"
    (it could not, and the ZIP alone named the representative: checking the street would make sure), or ""
    (nothing worth saying: no House recipient, or a one-seat state, where the state decides)."""
    if draft.lookup.accuracy == "address":
        return "address"
    return "zip" if certainty.house_target_from_zip(draft.lookup, draft.legislators) else ""


@require_http_methods(["GET", "POST"])
def letter_page(request, slug: str):
    action = get_object_or_404(LetterAction.objects.select_related("campaign"), slug=slug, is_active=True)
    open_now = action.campaign.status == Campaign.Status.ACTIVE
    context = {"action": action, "open": open_now, "step": "form"}
    form = LetterForm(request.POST or None, action=action)
    wait = (
        throttle_wait(request, ip_scope="letter_ip", field_scope="letter_email") if request.method == "POST" else None
    )
    if wait is not None:  # the API's limits: the page must not be a way around them
        form.add_error(None, f"Too many attempts. Please try again in {wait} seconds.")
        context["form"] = form
        response = render(request, "outreach/letters/page.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and open_now and form.is_valid():
        kwargs = form.service_kwargs()
        draft_kwargs = {k: v for k, v in kwargs.items() if k not in ("prefix", "email", "phone")}
        try:
            draft = None
            shown = request.POST.get("recipients")  # posted by the preview: whom it showed
            if request.POST.get("step") == "send" and shown is not None:
                # An address changed after the preview may change the recipients: show them before sending.
                draft = compose.letter_draft(action=action, **draft_kwargs)
                context["recipients_changed"] = _recipients(draft) != shown
            if request.POST.get("step") == "send" and not context.get("recipients_changed"):
                result = compose.letter_submit(action=action, **kwargs)
                context.update(step="result", letters=result.letters, submission_id=result.submission_id)
            else:
                draft = draft or compose.letter_draft(action=action, **draft_kwargs)
                found_by = _found_by(draft)
                if found_by == "zip":
                    form.fields["address_line"].widget.attrs["aria-describedby"] = "address-note"
                context.update(
                    step="preview", previews=draft.previews, found_by=found_by, recipients=_recipients(draft)
                )
        except LetterInputError as exc:
            for field, messages in exc.errors.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        except LookupUnavailable:
            form.add_error(None, "The address lookup is unavailable right now; please try again in a minute.")
    context["form"] = form
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "outreach/letters/page.html", context, status=status)


def _action_filter(request):
    slug = request.GET.get("action")
    return get_object_or_404(LetterAction, slug=slug) if slug else None


@admin_required
def outbox_index(request):
    action = _action_filter(request)
    return render(request, "outreach/letters/outbox_index.html", {"offices": selectors.outbox_offices(action=action)})


@admin_required
def outbox_batch_html(request, bioguide_id: str):
    letters = list(selectors.outbox_letters(bioguide_id=bioguide_id, action=_action_filter(request)))
    if not letters:
        raise Http404("No letters in the outbox for this office.")
    label = f"{letters[0].recipient_title} {letters[0].recipient_name}".strip()
    return HttpResponse(outbox.batch_html(letters=letters, office_label=label))


@admin_required
def outbox_batch_csv(request, bioguide_id: str):
    letters = selectors.outbox_letters(bioguide_id=bioguide_id, action=_action_filter(request))
    response = HttpResponse(outbox.batch_csv(letters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="letters-{bioguide_id}.csv"'
    return response


@admin_required
def petition_batch_csv(request, batch_id: int):
    batch = get_object_or_404(PetitionDeliveryBatch, pk=batch_id)
    filename = f"{batch.petition_slug}-{batch.bioguide_id}-{batch.run}.csv"
    return csv_response(selectors.petition_batch_rows(batch=batch), filename=filename)
