"""Delivery channels for letters, one module each: CWC (House and Senate), email, outbox.

Each raises TransientDeliveryError (worth retrying: 5xx, timeouts, dropped connections) or
PermanentDeliveryError (the recipient refused this letter; retrying changes nothing).
"""


class DeliveryError(Exception):
    pass


class TransientDeliveryError(DeliveryError):
    pass


class PermanentDeliveryError(DeliveryError):
    pass
