"""The client's IP address, for rate limits, blocklists and keyed hashes.

X-Forwarded-For is written by whoever sends the request, so it is trusted only behind our own proxy
(BEHIND_PROXY), and then only its last entry: the one that proxy appended.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    if settings.BEHIND_PROXY:
        forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    remote: str = request.META.get("REMOTE_ADDR", "")
    return remote
