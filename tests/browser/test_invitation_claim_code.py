"""What a parent sees on a phone when an invitation link reaches the wrong account:
a forwarded link alone adds no child; a code sent to the invited contact does."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.access import children_of
from consent.models import PrivacyNotice
from invitations.models import Invitation
from invitations.services import invitations_create
from notifications import sms
from tests.browser.helpers import assert_accessible, sign_in
from tests.factories import GuardianshipFactory, PupilFactory, SchoolFactory, UserFactory, admin_of
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"\b([0-9]{6})\b")
PLATFORM_BOX = re.compile("I agree to the Home Learning Portal")


def code_sent_to(address: str) -> str:
    """The code in the newest claim-code text or email to ``address``."""
    bodies = [text.body for text in sms.outbox if text.to == address] + [
        email.body for email in mail.outbox if address in email.to and "code" in email.subject
    ]
    assert bodies, f"no code sent to {address}"
    return CODE.search(bodies[-1]).group(1)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_forwarded_link_asks_the_wrong_account_for_the_code_sent_to_the_invited_parent(
    phone_page,
):
    PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={"text": "Notice", "summary_of_changes": "-", "published_at": timezone.now()},
    )
    school = SchoolFactory(name="Oakfield Primary")
    dana = imported_parent(
        first_name="Dana", last_name="Ortiz", email="dana@example.org", mobile="+447700900123"
    )
    link_unconfirmed(dana, PupilFactory(school=school, first_name="Amy", last_name="Ortiz"))
    (invitation,) = invitations_create(
        school=school, pupils=school.pupils.all(), channels="email", actor=admin_of(school)
    )
    link = f"/invitations/{token_from_outbox()}/"
    sam = UserFactory(email="sam@example.org", first_name="Sam", last_name="Lee")
    GuardianshipFactory(parent=sam, pupil=PupilFactory(first_name="Cal", last_name="Lee"))
    page = phone_page
    sign_in(page, sam.email)

    page.goto(link)
    expect(page.get_by_role("heading", name="Check this invitation is for you")).to_be_visible()
    expect(page.get_by_text("the email address d•••@e•••.org")).to_be_visible()
    expect(page.get_by_label(PLATFORM_BOX)).to_have_count(0)
    assert "dana@example.org" not in page.content()
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_text("We have sent the code.")).to_be_visible()
    expect(page.get_by_label("Code")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)
    code = code_sent_to("dana@example.org")
    assert code == code_sent_to("+447700900123")

    wrong = "000000" if code != "000000" else "111111"
    page.get_by_label("Code").fill(wrong)
    page.get_by_label(PLATFORM_BOX).check()
    page.get_by_role("button", name="Accept the invitation").click()
    expect(
        page.locator("#error-summary").get_by_text("That is not the code we sent")
    ).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)
    assert not children_of(sam).filter(first_name="Amy").exists()

    page.get_by_label("Code").fill(code)
    page.get_by_label(PLATFORM_BOX).check()
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(page.get_by_role("heading", name="Amy Ortiz")).to_be_visible()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == sam
