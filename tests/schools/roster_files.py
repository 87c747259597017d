"""Building roster CSV files for the roster import tests."""

from tests.factories import make_upn

HEADER = (
    "UPN,Forename,Surname,Year,Class,Pupil Premium,Contact Forename,Contact Surname,"
    "Contact Email,Contact Mobile,Relationship,PR"
)


def upn(serial: int) -> str:
    return make_upn(serial, establishment=7000)


def row(
    serial: int,
    first: str = "Amy",
    last: str = "Smith",
    year: str = "3",
    school_class: str = "3S",
    pupil_premium: str = "N",
    contact_first: str = "",
    contact_last: str = "",
    email: str = "",
    mobile: str = "",
    relationship: str = "",
    responsibility: str = "",
    upn_text: str | None = None,
) -> str:
    cells = [
        upn_text if upn_text is not None else upn(serial),
        first,
        last,
        year,
        school_class,
        pupil_premium,
        contact_first,
        contact_last,
        email,
        mobile,
        relationship,
        responsibility,
    ]
    return ",".join(cells)


def roster(*rows: str, header: str = HEADER, newline: str = "\n") -> bytes:
    return (newline.join([header, *rows]) + newline).encode()
