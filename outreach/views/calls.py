"""Calls: the public call page and Twilio's webhooks.

Webhooks answer only POSTs signed by Twilio (X-Twilio-Signature over PUBLIC_BASE_URL + path + query and
the form parameters). The URL is rebuilt from configuration, never from the Host header, so the check
holds behind a proxy. An unsigned or forged request gets 403 before anything is read or written.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from functools import wraps
from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from infra.clientip import client_ip
from infra.throttles import throttle_wait
from outreach import telephony
from outreach.lookup import LookupUnavailable, constituent_lookup
from outreach.models import CallFeedback, CallLeg, CallSession
from outreach.phones import PhoneRejected, phone_normalize
from outreach.selectors import calls as selectors
from outreach.services.call_inbound import InboundRefused, call_inbound_start, call_zip_entered, inbound_action
from outreach.services.call_limits import CallBlocked, CallLimited
from outreach.services.call_progress import (
    TERMINAL,
    call_answered,
    call_key_pressed,
    call_leg_dialed,
    call_next_step,
    call_no_key,
    call_status_update,
    call_wrong_key,
)
from outreach.services.calls import (
    CONSENT_TEXT,
    CallUnavailable,
    OfficesClosed,
    call_feedback_record,
    call_session_start,
    needs_lookup,
)
from outreach.targets import NeedsAddress
from outreach.telephony import twiml
from outreach.views import certainty

log = logging.getLogger("outreach.calls")


# --- webhooks --------------------------------------------------------------------------------------
def twilio_webhook(view):
    @csrf_exempt
    @require_POST
    @wraps(view)
    def checked(request, *args, **kwargs):
        url = settings.PUBLIC_BASE_URL + request.get_full_path()
        signature = request.headers.get("X-Twilio-Signature", "")
        if not telephony.signature_valid(url=url, params=request.POST, signature=signature):
            log.warning("twilio webhook refused: bad or missing signature path=%s", request.path)
            return HttpResponseForbidden("invalid signature")
        return view(request, *args, **kwargs)

    return checked


def _xml(response) -> HttpResponse:
    return HttpResponse(str(response), content_type="text/xml")


def _session(session_id) -> CallSession:
    return get_object_or_404(CallSession.objects.select_related("action", "campaign"), pk=session_id)


def _legs(session: CallSession) -> list[CallLeg]:
    return list(session.legs.order_by("position", "attempt"))


@twilio_webhook
def hook_answer(request, session_id):
    session = _session(session_id)
    if session.status in TERMINAL:
        return _xml(twiml.hangup())
    call_answered(session=session, sid=request.POST.get("CallSid", ""))
    return _xml(twiml.script_prompt(session, preface=twiml.outbound_intro(session, _legs(session))))


@twilio_webhook
def hook_gather(request, session_id):
    session = _session(session_id)
    if request.POST.get("Digits", "") == "1":
        call_key_pressed(session=session)
        return _xml(twiml.to_next(session))
    if session.connected_at is not None:
        return _xml(twiml.to_next(session))
    if call_wrong_key(session=session):
        return _xml(twiml.wrong_key_goodbye())
    return _xml(twiml.repeat_key_prompt(session))


@twilio_webhook
def hook_no_key(request, session_id):
    session = _session(session_id)
    call_no_key(session=session)
    return _xml(twiml.no_key_goodbye())


@twilio_webhook
def hook_next(request, session_id):
    session = _session(session_id)
    # Only a pressed key opens the way to the offices: voicemail boxes never reach them.
    if session.connected_at is None or session.status in TERMINAL:
        return _xml(twiml.hangup())
    step = call_next_step(session=session)
    if step.leg is None:
        return _xml(twiml.finished(session))
    if step.skipped:
        return _xml(twiml.closed_skip(session, step.leg))
    return _xml(twiml.dial(session, step.leg, after_hours=step.after_hours))


@twilio_webhook
def hook_dialed(request, leg_id):
    leg = get_object_or_404(
        CallLeg.objects.select_related("session__action", "session__campaign", "legislator"), pk=leg_id
    )
    session_over = call_leg_dialed(
        leg=leg,
        dial_status=request.POST.get("DialCallStatus", ""),
        duration=request.POST.get("DialCallDuration", ""),
        dial_sid=request.POST.get("DialCallSid", ""),
    )
    if session_over:
        return _xml(twiml.hangup())
    return _xml(twiml.to_next(leg.session))


@twilio_webhook
def hook_status(request, session_id):
    # Twilio posts this for every state change of every call: one indexed SELECT of the key, no joins.
    session = get_object_or_404(CallSession.objects.only("pk"), pk=session_id)
    call_status_update(
        session=session,
        status=request.POST.get("CallStatus", ""),
        duration=request.POST.get("CallDuration", ""),
        sid=request.POST.get("CallSid", ""),
    )
    return HttpResponse(status=204)


@twilio_webhook
def hook_inbound(request):
    action = inbound_action(request.POST.get("To", ""))
    if action is None:
        return _xml(twiml.goodbye("This line is not taking calls right now. Thank you for calling. Goodbye."))
    try:
        session = call_inbound_start(
            action=action,
            from_number=request.POST.get("From", ""),
            to_number=request.POST.get("To", ""),
            sid=request.POST.get("CallSid", ""),
        )
    except InboundRefused as exc:
        return _xml(twiml.goodbye(str(exc)))
    return _xml(twiml.inbound_welcome(session))


@twilio_webhook
def hook_inbound_status(request):
    sid = request.POST.get("CallSid", "")
    session = CallSession.objects.filter(twilio_sid=sid).first() if sid else None
    if session is not None:
        call_status_update(
            session=session, status=request.POST.get("CallStatus", ""), duration=request.POST.get("CallDuration", "")
        )
    return HttpResponse(status=204)


@twilio_webhook
def hook_zip(request, session_id):
    session = _session(session_id)
    result = call_zip_entered(session=session, digits=request.POST.get("Digits", "").strip())
    if not result.ok:
        if result.give_up:
            return _xml(twiml.goodbye("We couldn't get a ZIP code we know. Please try again later. Goodbye."))
        return _xml(twiml.zip_prompt(session, preface=["Sorry, we didn't recognize that ZIP code."]))
    if not result.legs:
        return _xml(twiml.goodbye("We couldn't find offices to call for that ZIP code. Thank you. Goodbye."))
    return _xml(twiml.zip_confirm(session, result.legs, split=result.split))


# --- the call page ---------------------------------------------------------------------------------
class CallForm(forms.Form):
    phone = forms.CharField(max_length=30, label="Your phone number")
    postal_code = forms.CharField(max_length=10, label="ZIP code")
    address = forms.CharField(max_length=300, required=False, label="Street address (if we ask for it)")
    consent = forms.BooleanField(required=True, label=CONSENT_TEXT)
    # What the person saw before pressing "Call me now": see _confirm_token.
    confirm = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    target = forms.CharField(max_length=40)
    outcome = forms.ChoiceField(choices=CallFeedback.Outcome.choices)
    notes = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _page_action(slug: str):
    try:
        return selectors.call_action_for_campaign(slug)
    except selectors.NoCallAction as exc:
        raise Http404("No call campaign here.") from exc


SPLIT_ZIP_MESSAGE = "This ZIP code spans several districts: add your street address to find your representative."
CROSS_STATE_MESSAGE = "This ZIP code crosses a state line: add your street address to find your members of Congress."
UNMATCHED_MESSAGE = "We could not place this street address in one district. Check it, with the house number."


def _confirm_token(postal_code: str, address: str) -> str:
    """Names the ZIP and address whose targets the page showed. A confirmation counts only for those: a
    person who changes either before pressing "Call me now" is shown the new targets first."""
    return hashlib.sha256(f"{postal_code.strip()}\n{address.strip()}".encode()).hexdigest()[:16]


@dataclass
class TargetCheck:
    """What the page shows before a call: the targets, or why it needs a street address first."""

    targets: list = field(default_factory=list)
    house_from_zip: bool = False
    needs_address: bool = False
    cross_state: bool = False
    address_given: bool = False
    candidates: list = field(default_factory=list)
    more_candidates: bool = False
    confirm_token: str = ""


def _check_targets(action, form: CallForm) -> TargetCheck | None:
    """Find whom the call would reach. Adds the errors to the form (and returns None) when it cannot."""
    data = form.cleaned_data
    postal_code, address = data["postal_code"].strip(), data["address"].strip()
    try:
        phone_normalize(data["phone"])
    except PhoneRejected as exc:
        form.add_error("phone", str(exc))
    try:
        lookup = constituent_lookup(postal_code=postal_code, street=address)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    check = TargetCheck(address_given=bool(address), confirm_token=_confirm_token(postal_code, address))
    try:
        check.targets = selectors.action_targets(action, lookup)
    except NeedsAddress:
        check.needs_address = True
        check.cross_state = lookup.state is None
        shown = certainty.CANDIDATES_SHOWN
        check.candidates, check.more_candidates = lookup.candidates[:shown], len(lookup.candidates) > shown
        if address:
            form.add_error("address", UNMATCHED_MESSAGE)
        else:
            form.add_error("address", CROSS_STATE_MESSAGE if check.cross_state else SPLIT_ZIP_MESSAGE)
        return check
    check.house_from_zip = certainty.house_target_from_zip(lookup, [t.legislator for t in check.targets])
    return check


def _start(request, action, form: CallForm):
    """Start the call and go to its page, or show the page again with the reason it did not start."""
    data = form.cleaned_data
    try:
        session = call_session_start(
            action=action,
            phone=data["phone"],
            postal_code=data["postal_code"].strip(),
            address=data["address"].strip(),
            consent=data["consent"],
            source="call-page",
            ip=client_ip(request),
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        status = 400
    except (CallLimited, CallBlocked, OfficesClosed, CallUnavailable) as exc:
        # Each carries its HTTP status (429, 403, 409, 503): the page answers with the API's.
        form.add_error(None, str(exc))
        status = exc.status_code
    else:
        return redirect("calls-session-page", slug=action.campaign.slug, session_id=session.id)
    return _render_page(request, action, form, None, status=status)


@require_http_methods(["GET", "POST"])
def call_page(request, slug):
    """The call page, in two steps when the person's own members are the targets and the ZIP alone named
    the representative: the first POST shows whom the call reaches and offers the street address; "Call
    me now" then starts it. A certain answer (an address that placed the person, senators only, a one-seat
    state, fixed targets) starts the call on the first POST. No JavaScript is needed."""
    action = _page_action(slug)
    form = CallForm(request.POST or None)
    if request.method != "POST":
        return _render_page(request, action, form, None, status=200)
    if not form.is_valid():
        return _render_page(request, action, form, None, status=400)
    data = form.cleaned_data
    confirmed = data["confirm"] == _confirm_token(data["postal_code"], data["address"])
    if not needs_lookup(action) or confirmed:
        return _start(request, action, form)

    wait = throttle_wait(request, ip_scope="lookup_address_ip") if data["address"].strip() else None
    if wait is not None:  # each address is a geocoder request: the lookup API's limit applies
        form.add_error(None, f"Too many attempts. Please try again in {wait} seconds.")
        response = _render_page(request, action, form, None, status=429)
        response["Retry-After"] = str(wait)
        return response
    try:
        check = _check_targets(action, form)
    except LookupUnavailable as exc:
        form.add_error(None, str(exc))
        return _render_page(request, action, form, None, status=503)
    if form.errors:
        return _render_page(request, action, form, check, status=400)
    if check is not None and check.house_from_zip:
        return _render_page(request, action, form, check, status=200)
    return _start(request, action, form)


def _render_page(request, action, form: CallForm, check: TargetCheck | None, *, status: int):
    context = {
        "action": action,
        "campaign": action.campaign,
        "form": form,
        "targets": selectors.fixed_targets(action),
        "check": check,
    }
    return render(request, "outreach/calls/page.html", context, status=status)


@require_http_methods(["GET"])
def session_page(request, slug, session_id):
    session = get_object_or_404(CallSession.objects.select_related("campaign", "action"), pk=session_id)
    if session.campaign.slug != slug:
        raise Http404
    context = {
        "session": session,
        "campaign": session.campaign,
        "action": session.action,
        "record": selectors.call_session_record(session),
        "outcomes": cast(forms.ChoiceField, FeedbackForm.base_fields["outcome"]).choices,
    }
    return render(request, "outreach/calls/session.html", context)


@require_POST
def session_feedback(request, slug, session_id):
    session = get_object_or_404(CallSession.objects.select_related("campaign"), pk=session_id)
    if session.campaign.slug != slug:
        raise Http404
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            call_feedback_record(
                session=session,
                target=form.cleaned_data["target"],
                outcome=form.cleaned_data["outcome"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError:
            return HttpResponseBadRequest("Unknown office for this call.")
        return redirect("calls-session-page", slug=slug, session_id=session.id)
    return HttpResponseBadRequest("Choose an outcome.")
