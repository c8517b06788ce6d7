"""The words and verbs of the call, as TwiML built with the SDK's VoiceResponse."""

from __future__ import annotations

from django.conf import settings
from twilio.twiml.voice_response import VoiceResponse

from outreach.models import CallLeg, CallSession
from outreach.telephony import webhook_url

KEY_WAIT_SECONDS = 8
ZIP_WAIT_SECONDS = 10


def _url(name: str, **kwargs) -> str:
    return webhook_url(name, **kwargs)


def _say(target, text: str) -> None:
    target.say(text, voice=settings.CALL_VOICE or None)


def _who(leg: CallLeg) -> str:
    return f"{leg.title} {leg.name}".strip()


def _office(leg: CallLeg) -> str:
    if leg.office_kind == CallLeg.OfficeKind.DC:
        return "Washington office"
    if leg.office_kind == CallLeg.OfficeKind.DISTRICT:
        return f"{leg.office_label} office"
    return "office"


def _names(legs: list[CallLeg]) -> str:
    names = [_who(leg) for leg in legs if leg.attempt == 1]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def script_prompt(session: CallSession, *, preface: list[str]) -> VoiceResponse:
    """The script inside a one-key Gather, a second shorter prompt, then the no-key goodbye. Nothing is
    dialed until a key is pressed, so an answering machine never gets patched through."""
    action = session.action
    gather_url = _url("calls-hook-gather", session_id=session.id)
    response = VoiceResponse()
    first = response.gather(num_digits=1, action=gather_url, method="POST", timeout=KEY_WAIT_SECONDS)
    for line in preface:
        _say(first, line)
    if action.script_audio_url:
        first.play(action.script_audio_url)
    else:
        _say(first, action.script)
    _say(first, "Press 1 to be connected.")
    again = response.gather(num_digits=1, action=gather_url, method="POST", timeout=KEY_WAIT_SECONDS)
    _say(again, "Press 1 now to be connected to the offices, or hang up to end the call.")
    response.redirect(_url("calls-hook-no-key", session_id=session.id), method="POST")
    return response


def outbound_intro(session: CallSession, legs: list[CallLeg]) -> list[str]:
    return [
        f"Hello! This is the {session.campaign.name} call line, calling because you asked to be connected "
        f"to {_names(legs)}. Here is what to say.",
    ]


def repeat_key_prompt(session: CallSession) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=_url("calls-hook-gather", session_id=session.id), method="POST", timeout=KEY_WAIT_SECONDS
    )
    _say(gather, "Press 1 to be connected to the offices, or hang up to end the call.")
    response.redirect(_url("calls-hook-no-key", session_id=session.id), method="POST")
    return response


def to_next(session: CallSession) -> VoiceResponse:
    response = VoiceResponse()
    response.redirect(_url("calls-hook-next", session_id=session.id), method="POST")
    return response


def goodbye(text: str) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return response


def hangup() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response


def no_key_goodbye() -> VoiceResponse:
    return goodbye("We didn't hear a key, so we won't connect this call. Thank you, and goodbye.")


def wrong_key_goodbye() -> VoiceResponse:
    return goodbye("We didn't get a 1, so we won't connect this call. Thank you, and goodbye.")


def finished(session: CallSession) -> VoiceResponse:
    return goodbye(
        "That was the last office. Thank you for calling! Please tell us how your calls went on the "
        f"{session.campaign.name} call page, so we know which offices heard from you. Goodbye."
    )


def dial(session: CallSession, leg: CallLeg, *, after_hours: bool) -> VoiceResponse:
    response = VoiceResponse()
    if after_hours:
        _say(response, f"{_who(leg)}'s offices are closed right now. Stay on the line to leave a voicemail.")
    else:
        _say(response, f"Connecting you to {_who(leg)}'s {_office(leg)}.")
    _say(response, "Press star to end this call and skip to the next office.")
    verb = response.dial(
        caller_id=session.caller_id,
        action=_url("calls-hook-dialed", leg_id=leg.id),
        method="POST",
        hangup_on_star=True,
        timeout=settings.CALL_DIAL_TIMEOUT,
    )
    verb.number(leg.phone)
    return response


def closed_skip(session: CallSession, leg: CallLeg) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, f"{_who(leg)}'s offices are closed right now, so we'll skip them.")
    response.redirect(_url("calls-hook-next", session_id=session.id), method="POST")
    return response


def zip_prompt(session: CallSession, *, preface: list[str]) -> VoiceResponse:
    response = VoiceResponse()
    zip_url = _url("calls-hook-zip", session_id=session.id)
    gather = response.gather(num_digits=5, action=zip_url, method="POST", timeout=ZIP_WAIT_SECONDS, finish_on_key="#")
    for line in preface:
        _say(gather, line)
    _say(gather, "Please enter your five digit ZIP code on the keypad.")
    # No input: the ZIP step counts it as a failed try and asks once more.
    response.redirect(zip_url, method="POST")
    return response


def inbound_welcome(session: CallSession) -> VoiceResponse:
    return zip_prompt(
        session,
        preface=[
            f"Thank you for calling the {session.campaign.name} line. We'll connect you to your members of Congress."
        ],
    )


def zip_confirm(session: CallSession, legs: list[CallLeg], *, split: bool) -> VoiceResponse:
    preface = []
    if split:
        preface.append(
            "Your ZIP code is split between congressional districts, so we can't tell who your representative "
            "is from the ZIP code alone. We'll connect you to your senators."
        )
    preface.append(f"You'll be connected to {_names(legs)}. Here is what to say.")
    return script_prompt(session, preface=preface)
