"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
from email.message import Message

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, refuse_recipients: tuple[str, ...] = ()):
        self.messages: list[Message] = []
        self.data_reply = ""  # e.g. "451 4.3.0 Try again later": refuse every message with it
        self.refuse_recipients = tuple(r.lower() for r in refuse_recipients)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address.lower() in self.refuse_recipients:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.data_reply:
            return self.data_reply
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's controller checks readiness by connecting to its configured port, so port 0 will not do.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeSMTP:
    """`refuse_recipients`: addresses answered 550 at RCPT (a mailbox the server does not have)."""

    def __init__(self, *, refuse_recipients: tuple[str, ...] = ()):
        self.handler = _Handler(refuse_recipients)
        self.port = _free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> FakeSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages
