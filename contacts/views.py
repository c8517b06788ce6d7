from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from contacts.services import BadToken, contact_from_unsubscribe_token, contact_unsubscribe
from infra.clientip import client_ip


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET asks, POST unsubscribes: mail scanners follow links but do not submit forms.

    A POST also serves RFC 8058 one-click unsubscribe (List-Unsubscribe-Post), which carries no CSRF
    token; the signed link is the authority here, there is no session to abuse.
    """
    try:
        contact = contact_from_unsubscribe_token(token)
    except BadToken:
        return render(request, "contacts/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        contact_unsubscribe(contact=contact, ip=client_ip(request))
        return render(request, "contacts/unsubscribed.html")
    return render(request, "contacts/unsubscribe.html", {"token": token})
