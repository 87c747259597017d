"""Invitation journeys from end to end, by visible labels and roles: a school admin
invites a class and a parent joins from the emailed link on a phone, then withdraws
marketing email; a parent the school knows only by mobile joins from a text
message; a parent who already has an account adds a child at a second school."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from consent.models import ConsentRecord, Method, Purpose
from consent.selectors import consent_current
from consent.wording import PURPOSE_STATEMENT
from invitations.models import Invitation
from invitations.services import invitations_create
from notifications import sms
from schools.models import Guardianship
from tests.browser.helpers import assert_accessible, sign_in, sign_in_staff
from tests.browser.test_invitation_claim_code import code_sent_to
from tests.consent.notices import grant_platform, published_notice
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
)
from tests.invitations.test_invitations import TOKEN_IN_LINK, imported_parent, link_unconfirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "plum-orchard-lantern-42"
PLATFORM_BOX = re.compile("I agree to the Home Learning Portal")
MARKETING_BOX = re.compile("Send me occasional news")


def meadowbank():
    """A school whose roster brought in two families in Robins: Amara's mother by
    email and mobile, Ben's father by mobile alone; and a school admin with an
    authenticator app."""
    published_notice(version="3.0")
    school = SchoolFactory(name="Meadowbank Primary")
    robins = SchoolClassFactory(school=school, name="Robins")
    amara = PupilFactory(school=school, school_class=robins, first_name="Amara", last_name="Haddad")
    ben = PupilFactory(school=school, school_class=robins, first_name="Ben", last_name="Okafor")
    leila = imported_parent(
        first_name="Leila",
        last_name="Haddad",
        email="leila.haddad@example.org",
        mobile="+447700900111",
    )
    tom = imported_parent(first_name="Tom", last_name="Okafor", email=None, mobile="+447700900222")
    link_unconfirmed(leila, amara)
    link_unconfirmed(tom, ben)
    admin = admin_of(school, first_name="Rhiannon", last_name="Pryce")
    return school, admin, leila, tom


def join(page, *, email: str | None = None, marketing: bool = False) -> None:
    """Fill in the invitation page as a new parent and join."""
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Haddad")
    if email is not None:
        page.get_by_label("Email address").fill(email)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_label(PLATFORM_BOX).check()
    if marketing:
        page.get_by_label(MARKETING_BOX).check()
    page.get_by_role("button", name=re.compile("^Join ")).click()


def consent_card(page, label: str):
    """The card of one consent on the Privacy and consent page, found by its heading."""
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=label))


def test_admin_invites_a_class_by_email_and_the_parent_joins_on_a_phone_then_withdraws_marketing(
    page, new_context, settings, live_server
):
    # As in the demo: the development outbox page lists the messages with their links.
    settings.DEBUG = True
    settings.SITE_URL = live_server.url
    school, admin, leila, _ = meadowbank()
    mail.outbox.clear()

    sign_in_staff(page, admin, confirmed_totp_device(admin))
    expect(page.get_by_role("heading", level=1, name="Meadowbank Primary")).to_be_visible()
    page.get_by_role("link", name="Invite parents").click()
    page.get_by_label("Class to invite").select_option(label="Robins (2 pupils)")
    page.get_by_label("Email only").check()
    page.get_by_role("button", name="Invite this class").click()
    expect(page.get_by_text("Invited 1 family.")).to_be_visible()
    expect(page.get_by_text("1 family could not be reached")).to_be_visible()
    assert [message.to for message in mail.outbox] == [["leila.haddad@example.org"]]

    phone = new_context(phone=True).new_page()
    phone.goto("/outbox/")
    expect(phone.get_by_role("heading", level=1, name="Outbox")).to_be_visible()
    assert_accessible(phone)
    emailed = phone.get_by_role("listitem").filter(has_text="leila.haddad@example.org")
    emailed.get_by_role("link", name=re.compile("invitations")).click()

    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Join Meadowbank Primary on the Home Learning Portal"
    )
    expect(phone.get_by_text("You will sign in with leila.haddad@example.org")).to_be_visible()
    join(phone, marketing=True)

    expect(phone.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(phone.get_by_text("You have joined Meadowbank Primary.")).to_be_visible()
    expect(phone.get_by_role("main").get_by_role("heading", level=2)).to_have_text(["Amara Haddad"])
    assert_accessible(phone)

    phone.get_by_role("contentinfo").get_by_role("link", name="Privacy and consent").click()
    expect(phone.get_by_role("heading", level=1, name="Privacy and consent")).to_be_visible()
    marketing = consent_card(phone, "Marketing email")
    expect(marketing).to_contain_text(PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL])
    expect(marketing).to_contain_text("when registering, under privacy notice version 3.0")
    marketing.get_by_role("button", name="Withdraw consent for Marketing email").click()

    expect(phone.get_by_text("You withdrew consent: Marketing email.")).to_be_visible()
    marketing = consent_card(phone, "Marketing email")
    expect(marketing.get_by_text("Withdrawn", exact=True)).to_be_visible()
    expect(marketing.get_by_role("button", name="Give consent for Marketing email")).to_be_visible()
    platform = consent_card(phone, "Using the platform")
    expect(platform.get_by_text("Given", exact=True)).to_be_visible()
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    leila.refresh_from_db()
    assert leila.is_active and (leila.first_name, leila.last_name) == ("Sam", "Haddad")
    marketing_records = ConsentRecord.objects.filter(
        user=leila, purpose=Purpose.MARKETING_EMAIL
    ).order_by("id")
    assert [(r.granted, r.method) for r in marketing_records] == [
        (True, Method.REGISTRATION),
        (False, Method.SETTINGS),
    ]
    assert {r.wording for r in marketing_records} == {PURPOSE_STATEMENT[Purpose.MARKETING_EMAIL]}
    assert not consent_current(user=leila, purpose=Purpose.MARKETING_EMAIL)
    assert consent_current(user=leila, purpose=Purpose.PLATFORM)
    assert Invitation.objects.get(school=school, parent=leila).status == "accepted"


def test_a_parent_known_only_by_mobile_is_texted_joins_with_an_email_and_signs_in_with_it(
    page, new_context
):
    _, admin, _, tom = meadowbank()
    sms.outbox.clear()

    sign_in_staff(page, admin, confirmed_totp_device(admin))
    page.get_by_role("link", name="Invite parents").click()
    page.get_by_text("Robins: 2 pupils").click()  # open the class to tick its pupils
    page.get_by_label("Ben").check()
    page.get_by_label("SMS only").check()
    page.get_by_role("button", name="Invite the families of the ticked pupils").click()
    expect(page.get_by_text("Invited 1 family.")).to_be_visible()

    (text,) = sms.outbox
    assert text.to == "+447700900222"
    (token,) = TOKEN_IN_LINK.findall(text.body)

    phone = new_context(phone=True).new_page()
    phone.goto(f"/invitations/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Meadowbank Primary")
    # The school gave no email: a code texted to the invited mobile shows the link reached Tom.
    expect(phone.get_by_text("the mobile number ending 222")).to_be_visible()
    phone.get_by_role("button", name="Send the code").click()
    phone.get_by_label("Code").fill(code_sent_to("+447700900222"))
    expect(phone.get_by_label("Email address")).to_be_visible()
    join(phone, email="tom.okafor@example.org")

    expect(phone.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(phone.get_by_role("main").get_by_role("heading", level=2)).to_have_text(["Ben Okafor"])
    tom.refresh_from_db()
    assert tom.email == "tom.okafor@example.org" and tom.mobile == "+447700900222"
    assert list(
        ConsentRecord.objects.filter(user=tom).values_list("purpose", "wording", "notice__version")
    ) == [(Purpose.PLATFORM, PURPOSE_STATEMENT[Purpose.PLATFORM], "3.0")]

    # Later, on another phone, the email they gave is how they sign in.
    later = new_context(phone=True).new_page()
    sign_in(later, "tom.okafor@example.org", NEW_PASSWORD)
    expect(later.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(later.get_by_role("heading", level=2, name="Ben Okafor")).to_be_visible()


def test_a_parent_with_an_account_adds_a_child_at_a_second_school_and_keeps_one_account(
    phone_page,
):
    notice = published_notice(version="3.0")
    north = SchoolFactory(name="Northfield Infants")
    south = SchoolFactory(name="Southgate Juniors")
    niamh = UserFactory(first_name="Niamh", last_name="Gallagher", email="niamh@example.org")
    ruby = PupilFactory(school=north, first_name="Ruby", last_name="Gallagher")
    GuardianshipFactory(parent=niamh, pupil=ruby)
    grant_platform(niamh, notice)
    # Southgate's roster has Finn's mother by mobile alone: a separate, unused account.
    finn = PupilFactory(school=south, first_name="Finn", last_name="Gallagher")
    imported = imported_parent(
        first_name="Niamh", last_name="Gallagher", email=None, mobile="+447700900333"
    )
    link_unconfirmed(imported, finn)
    sms.outbox.clear()
    (invitation,) = invitations_create(
        school=south, pupils=[finn], channels="sms", actor=admin_of(south)
    )
    (token,) = TOKEN_IN_LINK.findall(sms.outbox[0].body)
    page = phone_page

    page.goto(f"/invitations/{token}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Southgate Juniors")
    page.get_by_role("link", name="I already have an account — sign in").click()
    page.get_by_label("Email address", exact=True).fill("niamh@example.org")
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in", exact=True).click()

    # Her account has neither the email nor the mobile Southgate has: a code texted
    # to that mobile shows the invitation is hers.
    expect(page.get_by_role("heading", name="Check this invitation is for you")).to_be_visible()
    expect(page.get_by_text("You are signed in as niamh@example.org")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send the code").click()
    page.get_by_label("Code").fill(code_sent_to("+447700900333"))
    page.get_by_label(PLATFORM_BOX).check()
    page.get_by_role("button", name="Accept the invitation").click()

    expect(page.get_by_role("heading", level=1, name="My children")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("heading", level=2)).to_have_text(
        ["Finn Gallagher", "Ruby Gallagher"]
    )
    text = page.get_by_role("main").inner_text()
    assert "Northfield Infants" in text and "Southgate Juniors" in text
    assert_accessible(page)

    assert not User.objects.filter(pk=imported.pk).exists()
    assert User.objects.filter(first_name="Niamh", last_name="Gallagher").count() == 1
    assert set(
        Guardianship.objects.filter(parent=niamh, confirmed_at__isnull=False).values_list(
            "pupil__first_name", flat=True
        )
    ) == {"Ruby", "Finn"}
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == niamh and invitation.parent is None
