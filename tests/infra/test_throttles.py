from django.test import RequestFactory
from rest_framework.request import Request

from infra.clientip import client_ip
from infra.throttles import ScopedIPThrottle


def request(**meta):
    return RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", **meta)


def test_a_forwarded_header_from_the_client_is_ignored_without_our_proxy(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request(HTTP_X_FORWARDED_FOR="203.0.113.9")) == "198.51.100.7"


def test_behind_our_proxy_the_address_it_appended_counts_not_what_the_client_wrote(settings):
    settings.BEHIND_PROXY = True
    assert client_ip(request(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request()) == "198.51.100.7"


def test_rotating_a_forged_forwarded_header_does_not_escape_the_ip_limit(settings):
    settings.BEHIND_PROXY = False
    settings.THROTTLE_RATES = {"t": "1/minute"}

    class View:
        throttle_scope_ip = "t"

    keys = set()
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        throttle = ScopedIPThrottle()
        throttle.allow_request(Request(request(HTTP_X_FORWARDED_FOR=forged)), View())
        keys.add(throttle.key)
    assert len(keys) == 1


def test_an_empty_rate_means_no_limit_not_an_error(settings):
    settings.THROTTLE_RATES = {"t": ""}

    class View:
        throttle_scope_ip = "t"

    for _ in range(5):
        assert ScopedIPThrottle().allow_request(Request(request()), View()) is True
