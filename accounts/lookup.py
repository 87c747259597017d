"""Normalising identifiers, and the keyed hashes used to look them up.

UPNs and mobile numbers are matched and constrained through a keyed hash held
beside the value, never through the value itself, so that encrypting the values
at rest later changes only how they are stored, not how they are found.
"""

import hashlib
import hmac

import phonenumbers
from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.gb import upn as upn_check


def normalise_email(email: str | None) -> str:
    """Emails are compared case-insensitively: keep one spelling, lower case."""
    return (email or "").strip().lower()


def normalise_mobile(raw: str, region: str = "GB") -> str:
    """Return a mobile number in E.164, accepting UK formats; raise ValueError."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError("is not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Ofcom's drama range, 07700 900000 to 900999: never given to a real phone, so the
# numbers films, tests and the demo use. phonenumbers calls them invalid.
DRAMA_MOBILES = range(447700900000, 447700901000)
# A number that may be a mobile: some countries' numbers do not say which they are.
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


def mobile_for_texts(raw: str) -> str:
    """A mobile a text can reach, in E.164 (UK formats accepted); ValueError saying
    why it is not one. The one rule for the roster importer and account settings."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError("is not a phone number") from None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if int(e164[1:]) in DRAMA_MOBILES:
        return e164
    if not phonenumbers.is_valid_number(number):
        raise ValueError("is not a valid phone number")
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise ValueError("is a landline, not a mobile, so a text cannot reach it")
    if kind not in MOBILE_TYPES:
        raise ValueError("is not a mobile number, so a text cannot reach it")
    return e164


def normalise_upn(raw: str) -> str:
    """Return the compact, upper-case UPN; raise ValueError if its check letter fails."""
    try:
        return upn_check.validate(raw)
    except StdnumValidationError as error:
        raise ValueError("is not a valid UPN (check letter or format)") from error


def _keyed_hash(kind: str, value: str) -> str:
    key = f"{settings.LOOKUP_HASH_KEY}:{kind}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def upn_lookup_hash(upn: str) -> str:
    return _keyed_hash("upn", upn_check.compact(upn))


def mobile_lookup_hash(mobile_e164: str) -> str:
    return _keyed_hash("mobile", mobile_e164)


def email_lookup_hash(email: str) -> str:
    """Match an email (say, one tried at a failed sign-in) without keeping it."""
    return _keyed_hash("email", normalise_email(email))
