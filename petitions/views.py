"""Public petition pages: plain HTML forms that work without JavaScript; the script only enhances."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from congress import selectors as congress_selectors
from congress.models import Legislator
from infra.throttles import throttle_wait
from organizing import roles
from petitions import intake, selectors
from petitions.api_sign import share_url, sign
from petitions.errors import BadConfirmationLink
from petitions.mail import signature_confirm, signature_from_confirmation_token
from petitions.models import Petition
from petitions.sign_input import FORM_ONLY, INPUT_NAMES, signature_input_clean

# The ZIP a person signed with, for their own thank-you page only: a cookie scoped to that page's path,
# never the URL (URLs land in logs, history and shared links; the referral code in the thank-you URL is
# public, so it must not name the signer's district either). The no-JS form's answer sets it, the form's
# script sets the same cookie before it goes to the page. Short-lived: a shared computer forgets it soon.
THANKS_ZIP_COOKIE = "petition_zip"
THANKS_ZIP_MAX_AGE = 30 * 60
# More possible members than this are not listed (a ZIP without a crosswalk row leaves a whole delegation).
CANDIDATES_SHOWN = 8

# Apps higher up offer a signer's next steps here without this app importing them (outreach offers the
# campaign's call and letter pages): name -> provider(petition) -> [{"kind", "label", "url"}, ...].
_NEXT_STEPS: dict[str, Callable[[Petition], list[dict]]] = {}


def register_next_steps(*, name: str, provider: Callable[[Petition], list[dict]]) -> None:
    _NEXT_STEPS[name] = provider


def _next_steps(petition: Petition) -> list[dict]:
    return [step for _, provider in sorted(_NEXT_STEPS.items()) for step in provider(petition)]


def _context(request, petition: Petition, *, embed: bool, values=None, errors=None) -> dict:
    counts = selectors.signature_counts(petition_id=petition.pk)
    page_url = share_url(petition, "")
    embed_url = f"{settings.PUBLIC_BASE_URL}{reverse('petitions:embed', kwargs={'slug': petition.slug})}"
    values = values or {"source": request.GET.get("source", "")[:100], "ref": request.GET.get("ref", "")[:16]}
    return {
        "petition": petition,
        "targets": selectors.petition_targets(petition),
        "count": counts.public,
        "percent": min(100, round(100 * counts.public / petition.goal)) if petition.goal else 0,
        "values": values,
        "errors": errors or {},
        "form_token": intake.form_token(),
        "embed": embed,
        "action": reverse("petitions:embed" if embed else "petitions:page", kwargs={"slug": petition.slug}),
        "api_url": reverse("petitions-api:signatures", kwargs={"slug": petition.slug}),
        "page_url": page_url,
        # Pasted into partners' pages as HTML: the title is escaped so a quote or a tag in it cannot
        # break out of the attribute.
        "embed_snippet": format_html(
            '<iframe src="{}" title="{}" width="100%" height="720" style="border:0" loading="lazy"></iframe>',
            embed_url,
            petition.title,
        ),
        "opt_in_text": intake.email_opt_in_text(),
        "is_organizer": roles.can_manage(request.user, petition.campaign),
    }


def _thanks_url(petition: Petition, ref_code: str, *, embed: bool) -> str:
    path = reverse("petitions:embed-thanks" if embed else "petitions:thanks", kwargs={"slug": petition.slug})
    return f"{path}?{urlencode({'ref': ref_code})}" if ref_code else path


def _page(request, slug: str, *, embed: bool):
    petition = selectors.petition_public_get(slug=slug)
    if petition is None:
        raise Http404("No petition here.")
    template = "petitions/embed.html" if embed else "petitions/petition.html"
    if request.method == "GET":
        return render(request, template, _context(request, petition, embed=embed))

    if petition.status != Petition.Status.OPEN:
        ctx = _context(request, petition, embed=embed, errors={"form": ["This petition is closed."]})
        return render(request, template, ctx, status=409)
    wait = throttle_wait(request, ip_scope="sign_ip", field_scope="sign_email")  # the API's limits
    if wait is not None:
        errors = {"form": [f"Too many attempts. Please try again in {wait} seconds."]}
        response = render(request, template, _context(request, petition, embed=embed, errors=errors), status=429)
        response["Retry-After"] = str(wait)
        return response
    data, errors = signature_input_clean(request.POST)
    if errors:
        values = {k: request.POST.get(k, "") for k in INPUT_NAMES if k not in FORM_ONLY}
        return render(
            request, template, _context(request, petition, embed=embed, values=values, errors=errors), status=400
        )
    result = sign(petition, data, request=request, token_required=True)  # open: checked above
    # 303: the browser follows with a GET, so reloading the thank-you page does not post again.
    response = HttpResponseRedirect(_thanks_url(petition, result.ref_code, embed=embed), status=303)
    zip_match = congress_selectors.ZIP_RE.match(data.get("postal_code") or "")
    if zip_match and not embed:  # a third-party frame would not send the cookie back anyway
        response.set_cookie(
            THANKS_ZIP_COOKIE,
            zip_match.group(1),
            max_age=THANKS_ZIP_MAX_AGE,
            path=reverse("petitions:thanks", kwargs={"slug": petition.slug}),
            secure=request.is_secure() or settings.SESSION_COOKIE_SECURE,
            httponly=False,  # the form's script writes the same cookie; an HttpOnly one would refuse it
            samesite="Lax",
        )
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def petition_page(request, slug: str):
    return _page(request, slug, embed=False)


# Partners frame this page on their own sites, so it must be frameable, and the browser will not send
# our CSRF cookie from inside a third-party frame. Signing carries no session authority to protect; the
# signed form token (fill time) is required instead.
@never_cache
@xframe_options_exempt
@csrf_exempt
@require_http_methods(["GET", "POST"])
def petition_embed(request, slug: str):
    return _page(request, slug, embed=True)


@dataclass
class Members:
    """The signer's members of Congress from the ZIP they signed with, saying only what is certain."""

    senators: list[Legislator] = field(default_factory=list)
    representative: Legislator | None = None
    # The ZIP alone named the representative of a state with several seats: an address would make sure.
    house_from_zip: bool = False
    # The ZIP leaves the representative (or, across a state line, every member) open.
    uncertain: bool = False
    cross_state: bool = False
    candidates: list[Legislator] = field(default_factory=list)
    more_candidates: bool = False


def _members_from_zip(zip5: str) -> Members | None:
    try:
        lookup = congress_selectors.zip_lookup(zip5)
    except (ValueError, congress_selectors.ZipNotFound, congress_selectors.NoCongressData):
        return None
    representative = lookup.representative
    if not (lookup.legislators or lookup.candidates):
        return None  # a military or freely associated ZIP: the voting address decides, nothing to show
    return Members(
        senators=lookup.senators,
        representative=representative,
        house_from_zip=lookup.house_from_zip,
        uncertain=representative is None and lookup.needs_address,
        cross_state=lookup.state is None,
        candidates=lookup.candidates[:CANDIDATES_SHOWN],
        more_candidates=len(lookup.candidates) > CANDIDATES_SHOWN,
    )


def _pages_phrase(steps: list[dict]) -> str:
    kinds = {step["kind"] for step in steps}
    if {"call", "letter"} <= kinds:
        return "the call or letter page"
    return "the call page" if "call" in kinds else "the letter page" if "letter" in kinds else ""


def _thanks(request, slug: str, *, embed: bool):
    petition = selectors.petition_public_get(slug=slug)
    if petition is None:
        raise Http404("No petition here.")
    ref = request.GET.get("ref", "")
    ref = ref if ref.replace("-", "").replace("_", "").isalnum() and len(ref) <= 16 else ""
    url = share_url(petition, ref)
    text = f"I signed: {petition.title}"
    zip_match = None if embed else congress_selectors.ZIP_RE.match(request.COOKIES.get(THANKS_ZIP_COOKIE, ""))
    next_steps = _next_steps(petition)
    context = {
        "members": _members_from_zip(zip_match.group(1)) if zip_match else None,
        "next_steps": next_steps,
        "pages_phrase": _pages_phrase(next_steps),
        "petition": petition,
        "count": selectors.signature_counts(petition_id=petition.pk).public,
        "share_url": url,
        "confirmation_required": petition.confirmation_required,
        "embed": embed,
        "share_links": [
            ("Email", "mailto:?" + urlencode({"subject": petition.title, "body": f"{text}\n{url}"})),
            ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
            ("X", "https://twitter.com/intent/tweet?" + urlencode({"text": text, "url": url})),
            ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{text} {url}"})),
        ],
    }
    return render(request, "petitions/thanks.html", context)


@never_cache  # it shows the signer's own members, read from their cookie: no shared cache may keep it
@require_http_methods(["GET"])
def thanks(request, slug: str):
    return _thanks(request, slug, embed=False)


@xframe_options_exempt
@require_http_methods(["GET"])
def embed_thanks(request, slug: str):
    return _thanks(request, slug, embed=True)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """GET shows a button, POST confirms: mail scanners open links but do not submit forms."""
    try:
        signature = signature_from_confirmation_token(token)
    except BadConfirmationLink as exc:
        return render(request, "petitions/confirm_failed.html", {"reason": exc.reason}, status=400)
    if request.method == "POST":
        signature = signature_confirm(signature=signature)
        return render(
            request,
            "petitions/confirmed.html",
            {"petition": signature.petition, "share_url": share_url(signature.petition, signature.ref_code)},
        )
    return render(request, "petitions/confirm.html", {"petition": signature.petition, "token": token})
