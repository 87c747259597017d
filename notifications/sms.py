"""SMS backends, chosen by ``settings.SMS_BACKEND`` the way Django chooses email backends.

- ``notifications.sms.ConsoleSmsBackend`` (default) prints each SMS;
- ``notifications.sms.LocmemSmsBackend`` keeps them in ``notifications.sms.outbox`` (tests);
- ``notifications.sms.NotifySmsBackend`` sends through GOV.UK Notify, with one Notify
  template whose body is ``((body))``; ``NOTIFY_API_KEY`` and ``NOTIFY_SMS_TEMPLATE_ID``
  come from the environment;
- ``notifications.sms.DisabledSmsBackend`` makes SMS unavailable everywhere: the
  outbox writes no SMS (``notifications.policy.channel_available``), the forms offer
  none, and a text left pending from before is marked failed, never sent.

``send`` returns the provider's id for the message, raises ``TransientDeliveryError``
when a retry may succeed and ``DeliveryError`` when it will not.
"""

import sys
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notifications.errors import DeliveryError, TransientDeliveryError

# GSM 03.38: the basic set costs one septet a character, the extension set two.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "\f^{}\\[~]|€"
# Typographic punctuation written the plain way GSM 03.38 carries: a curly apostrophe
# in a school's name or a dash in a topic's title would otherwise make the whole text
# UCS-2, 67 characters a part instead of 153. Letters are never changed here.
PLAIN_PUNCTUATION = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the curly apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2026": "...",  # horizontal ellipsis
        "\u00a0": " ",  # no-break space
        "\u2009": " ",  # thin space
    }
)
SMS_MAX_SEGMENTS = 2
# Concatenated messages carry a header, leaving 153 septets or 67 UCS-2 units a part.
GSM7_SEGMENT_LENGTH = 153
UCS2_SEGMENT_LENGTH = 67


def plain_punctuation(text: str) -> str:
    """``text`` with its typographic punctuation written plainly (PLAIN_PUNCTUATION)."""
    return text.translate(PLAIN_PUNCTUATION)


def sms_length(text: str) -> tuple[str, int]:
    """The encoding an SMS needs ("gsm7" or "ucs2") and its length in that encoding."""
    if all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text):
        return "gsm7", sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    return "ucs2", len(text.encode("utf-16-le")) // 2


def sms_limit(encoding: str) -> int:
    per_segment = GSM7_SEGMENT_LENGTH if encoding == "gsm7" else UCS2_SEGMENT_LENGTH
    return per_segment * SMS_MAX_SEGMENTS


def sms_check_length(text: str) -> None:
    """Raise ValueError if the text needs more than two SMS segments."""
    encoding, length = sms_length(text)
    limit = sms_limit(encoding)
    if length > limit:
        raise ValueError(
            f"SMS too long: {length} {encoding} characters, at most {limit} "
            f"({SMS_MAX_SEGMENTS} segments)."
        )


class BaseSmsBackend:
    # False for a backend that sends nothing: SMS is then unavailable everywhere.
    available = True

    def send(self, *, to: str, body: str, reference: str) -> str:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints each SMS to standard output: the development default."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, reference: str) -> str:
        provider_id = f"console-{uuid.uuid4()}"
        self.stream.write(f"SMS to {to} ({reference}):\n{body}\n{'-' * 40}\n")
        self.stream.flush()
        return provider_id


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    reference: str
    provider_id: str


# Filled by LocmemSmsBackend; tests clear it.
outbox: list[SentSms] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps each SMS in ``notifications.sms.outbox``: for tests and the demo."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        provider_id = f"locmem-{uuid.uuid4()}"
        outbox.append(SentSms(to=to, body=body, reference=reference, provider_id=provider_id))
        return provider_id


class NotifySmsBackend(BaseSmsBackend):
    """GOV.UK Notify, through one template that passes the rendered body through."""

    def __init__(self, api_key: str | None = None, template_id: str | None = None):
        self.api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_SMS_TEMPLATE_ID
        if not self.api_key or not self.template_id:
            raise ImproperlyConfigured(
                "NotifySmsBackend needs NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID."
            )
        self.client = NotificationsAPIClient(self.api_key)

    def send(self, *, to: str, body: str, reference: str) -> str:
        try:
            response = self.client.send_sms_notification(
                phone_number=to,
                template_id=self.template_id,
                personalisation={"body": body},
                reference=reference,
            )
        except APIError as error:
            # The client reports network failures as 503. Only the status goes into
            # the error: Notify's message text may repeat the phone number.
            status = error.status_code
            if status == 429 or status >= 500:
                raise TransientDeliveryError(f"Notify status {status}") from error
            raise DeliveryError(f"Notify status {status}") from error
        provider_id = (response or {}).get("id")
        if not provider_id:
            raise TransientDeliveryError("Notify response without an id")
        return str(provider_id)


SMS_DISABLED_REASON = "SMS is disabled on this portal (SMS_BACKEND)"


class DisabledSmsBackend(BaseSmsBackend):
    """No SMS on this portal: the outbox writes none and the forms offer none.

    A text that reaches it anyway (queued before SMS was disabled) fails for good
    (its last_error says SMS is disabled); it is never printed or marked sent."""

    available = False

    def send(self, *, to: str, body: str, reference: str) -> str:
        raise DeliveryError(SMS_DISABLED_REASON)


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_available() -> bool:
    """Whether texts can be sent at all (False with ``DisabledSmsBackend``)."""
    return getattr(import_string(settings.SMS_BACKEND), "available", True)
