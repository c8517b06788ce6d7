"""The sign path checks input with plain functions; they must agree with DRF's fields, which they replace."""

import pytest
from django.http import QueryDict
from rest_framework import serializers

from petitions.api_sign import _signature_in_fields
from petitions.sign_input import signature_input_clean

# DRF's own fields for the same table, without our ZIP/state/phone rules: the reference for blank, null,
# type, length, character and boolean handling.
DrfReference = type("DrfReference", (serializers.Serializer,), _signature_in_fields())

BASE = {"email": "ada@example.org", "postal_code": "05401"}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"given_name": None},
        {"given_name": True},
        {"given_name": ["Ada"]},
        {"given_name": {"a": 1}},
        {"given_name": 42},
        {"given_name": 4.5},
        {"given_name": "  Ada  "},
        {"given_name": "   "},
        {"given_name": "x" * 100},
        {"given_name": "x" * 101},
        {"given_name": " " + "x" * 100 + " "},
        {"given_name": "A\x00da"},
        {"given_name": "A\ud800da"},
        {"given_name": "Zoë Ñúñez"},
        {"email": ""},
        {"email": "   "},
        {"email": None},
        {"email": "not-an-email"},
        {"email": "a@b"},
        {"email": " ada@example.org "},
        {"email": "x" * 250 + "@example.org"},
        {"email": 5},
        {"comment": "x" * 2001},
        {"email_opt_in": "true"},
        {"email_opt_in": "True"},
        {"email_opt_in": "on"},
        {"email_opt_in": "1"},
        {"email_opt_in": 1},
        {"email_opt_in": "no"},
        {"email_opt_in": "off"},
        {"email_opt_in": 0},
        {"email_opt_in": ""},
        {"email_opt_in": "maybe"},
        {"email_opt_in": None},
        {"email_opt_in": []},
        {"public_display": 2},
    ],
)
def test_plain_checks_give_drf_results_and_messages(changes):
    data = {**BASE, **changes}
    reference = DrfReference(data=data)
    valid = reference.is_valid()
    cleaned, errors = signature_input_clean(data)
    assert errors == {k: [str(m) for m in v] for k, v in reference.errors.items()}
    if valid:
        assert cleaned == dict(reference.validated_data)


def test_missing_fields_and_form_data_match_drf():
    for data in ({}, QueryDict("email=ada%40example.org&postal_code=05401&email_opt_in=on&given_name=a&given_name=b")):
        reference = DrfReference(data=data)
        reference.is_valid()
        cleaned, errors = signature_input_clean(data)
        assert errors == {k: [str(m) for m in v] for k, v in reference.errors.items()}
        if not errors:
            assert cleaned == dict(reference.validated_data)
            assert cleaned["given_name"] == "b" and cleaned["email_opt_in"] is True


def test_a_body_that_is_not_an_object_is_one_error_not_a_crash():
    assert signature_input_clean(["email"])[1] == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }
