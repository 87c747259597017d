"""A school's contact phone number: a UK number, kept in its national format."""

import phonenumbers

UK_REGIONS = frozenset({"GB", "GG", "JE", "IM"})


def uk_phone_format(raw: str) -> str:
    """The number as people in the UK write it (``020 7946 0123``); ValueError if it is
    not a valid UK number."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValueError("is not a phone number") from error
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.region_code_for_number(number) not in UK_REGIONS
    ):
        raise ValueError("is not a UK phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
