"""The invitation page on a phone: a parent joins by visible labels, and every
state of the page (errors, confirmation, dead link, staff) passes axe-core and
fits a 360-pixel screen."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from consent.models import ConsentRecord, PrivacyNotice, Purpose
from invitations.services import invitation_revoke, invitations_create
from invitations.views import accept as accept_views
from notifications import sms
from tests.browser.helpers import assert_accessible, enter_totp, sign_in
from tests.browser.test_invitation_claim_code import code_sent_to
from tests.factories import (
    PupilFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
)
from tests.invitations.test_invitations import imported_parent, link_unconfirmed, token_from_outbox

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def invite(school, *, first_name="Amy", **parent_fields):
    PrivacyNotice.objects.get_or_create(
        version="1.0",
        defaults={"text": "Notice", "summary_of_changes": "-", "published_at": timezone.now()},
    )
    mail.outbox.clear()
    sms.outbox.clear()
    parent = imported_parent(**parent_fields)
    child = PupilFactory(school=school, first_name=first_name, last_name="Quennell")
    link_unconfirmed(parent, child)
    channels = "email" if parent.email else "sms"
    (invitation,) = invitations_create(
        school=school, pupils=[child], channels=channels, actor=admin_of(school)
    )
    return f"/invitations/{token_from_outbox()}/", invitation, parent


def test_sms_invited_parent_joins_on_a_phone_and_sees_the_child(phone_page):
    school = SchoolFactory(name="Oakfield Primary")
    link, _, parent = invite(school, email=None, mobile="+447700900123")
    page = phone_page

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oakfield Primary")
    expect(page.get_by_text("Amy", exact=False).first).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)
    page.get_by_role("button", name="Send the code").click()
    expect(page.get_by_label("Code")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("button", name="Join Oakfield Primary").click()
    expect(page.locator("#error-summary").get_by_text("you cannot join without it")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_label("Code").fill(code_sent_to("+447700900123"))
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Ortiz")
    page.get_by_label("Email address").fill("dana@example.org")
    page.get_by_label("Choose a password").fill("plum-orchard-lantern-42")
    page.get_by_label("Type the password again").fill("plum-orchard-lantern-42")
    page.get_by_label(re.compile("I agree to the Home Learning Portal")).check()
    page.get_by_label(re.compile("Send me occasional news")).check()
    page.get_by_role("button", name="Join Oakfield Primary").click()

    expect(page.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(page.get_by_role("heading", name="Amy Quennell")).to_be_visible()
    assert_accessible(page)
    parent.refresh_from_db()
    assert parent.email == "dana@example.org" and parent.is_active
    assert set(ConsentRecord.objects.filter(user=parent).values_list("purpose", flat=True)) == {
        Purpose.PLATFORM,
        Purpose.MARKETING_EMAIL,
    }


def test_signed_in_parent_confirms_on_a_phone(phone_page):
    school = SchoolFactory(name="Oakfield Primary")
    existing = UserFactory(email="dana@example.org", mobile="+447700900123")
    link, _, _ = invite(school, first_name="Ben", email=None, mobile="+447700900123")
    page = phone_page

    page.goto(link)
    page.get_by_role("link", name="I already have an account — sign in").click()
    page.get_by_label("Email address", exact=True).fill(existing.email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Add Ben to your account")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)

    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.locator("#error-summary").get_by_text("you cannot join without it")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label(re.compile("I agree to the Home Learning Portal")).check()
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("heading", name="Ben Quennell")).to_be_visible()


def test_dead_link_refusal_and_too_many_tries_pages_have_no_axe_violations(phone_page, new_context):
    school = SchoolFactory(name="Oakfield Primary")
    link, invitation, parent = invite(school)
    page = phone_page

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Oakfield Primary")
    invitation_revoke(invitation=invitation, actor=parent)
    response = page.goto(link)
    assert response.status == 410
    expect(page.get_by_role("heading", name="This invitation link does not work")).to_be_visible()
    assert fits_the_screen(page)
    assert_accessible(page)

    other_link, _, _ = invite(school, first_name="Cara", email="cara.parent@example.org")
    admin = admin_of(school, email="head@example.org")
    staff = new_context(phone=True).new_page()
    device = confirmed_totp_device(admin)
    sign_in(staff, admin.email)
    enter_totp(staff, device)
    response = staff.goto(other_link)
    assert response.status == 403
    expect(
        staff.get_by_role("heading", name="Staff accounts cannot accept invitations")
    ).to_be_visible()
    assert_accessible(staff)

    in_use_link, _, owner = invite(school, first_name="Dev", email="dev.parent@example.org")
    owner.set_password("correct-horse-battery")
    owner.save()
    other = UserFactory()
    signed_in = new_context(phone=True).new_page()
    sign_in(signed_in, other.email)
    response = signed_in.goto(in_use_link)
    assert response.status == 403
    expect(
        signed_in.get_by_role("heading", name="This invitation is for another account")
    ).to_be_visible()
    assert_accessible(signed_in)

    guesser = new_context(phone=True).new_page()
    for n in range(accept_views.GUESS_LIMIT):
        guesser.goto(f"/invitations/guess-{n}/")
    response = guesser.goto(link)
    assert response.status == 429
    expect(guesser.get_by_role("heading", name="Too many tries")).to_be_visible()
    assert fits_the_screen(guesser)
    assert_accessible(guesser)
