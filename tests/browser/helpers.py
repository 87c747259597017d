"""What the browser tests do the way a person would: sign in, type codes, check pages."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct-horse-battery"  # what tests.factories.UserFactory sets
CODE_LABEL = re.compile(r"^Code:?$")  # the sign-in code field, not the QR code image

_axe = Axe()
# WCAG 2.2 AA (every level-A and AA rule up to 2.2) and axe-core's best practices: the
# standard the portal is held to (docs/architecture.md, "Accessibility").
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def assert_accessible(page) -> None:
    """Fail with axe-core's readable list of violations if the page has any.

    The script is injected through the DevTools protocol (page.evaluate), which
    the portal's Content Security Policy does not apply to, so the page is
    checked under its real CSP with no bypass. Only the WCAG 2.2 AA and
    best-practice rules run (AXE_TAGS), and all of them do.
    """
    results = _axe.run(page, options=AXE_OPTIONS)
    if results.violations_count:
        pytest.fail(f"axe-core on {page.url}:\n{results.generate_report()}", pytrace=False)


def current_code(device: TOTPDevice) -> str:
    """The 6-digit code an authenticator app would show right now for the device."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form the way a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    # Wait for the next page, so that a following goto() cannot cut the sign-in short.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def enter_totp(page, device: TOTPDevice) -> None:
    """Answer the two-step sign-in page with the device's current code."""
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/two-factor/verify/" not in url)


def sign_in_staff(page, user, device: TOTPDevice) -> None:
    sign_in(page, user.email)
    enter_totp(page, device)


MISSING_DESCRIPTIONS = """() => [...document.querySelectorAll("[aria-describedby]")].flatMap(
  (element) => element.getAttribute("aria-describedby").split(/\\s+/).filter(
    (id) => id && !document.getElementById(id)
  ).map((id) => `${element.outerHTML.slice(0, 120)} names #${id}`)
)"""


def assert_descriptions_exist(page) -> None:
    """Fail if an aria-describedby names an element the page does not have.

    axe-core only flags such a reference for review: a screen reader then reads the
    field without its hint or error, and nothing else shows it.
    """
    missing = page.evaluate(MISSING_DESCRIPTIONS)
    assert not missing, f"on {page.url}: " + "; ".join(missing)
