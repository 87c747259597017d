"""axe-core finds no violations on any page, including its error and empty states."""

import re

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from schools.models import RosterImport
from tests.browser.helpers import (
    CODE_LABEL,
    assert_accessible,
    current_code,
    enter_totp,
    sign_in,
)
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
    make_upn,
    teacher_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_password_reset_pages_have_no_axe_violations(page):
    user = UserFactory(email="morwenna.tregothnan@example.org")

    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )  # axe runs under the real Content Security Policy
    assert_accessible(page)

    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(re.compile(r"not correct|incorrect", re.IGNORECASE))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=re.compile(r"forgotten your password", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("password", re.I))
    assert_accessible(page)

    page.get_by_label(re.compile(r"email", re.IGNORECASE)).fill(user.email)
    page.get_by_role("button", name=re.compile(r"reset", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(r"/accounts/password/reset/done/"))
    assert_accessible(page)

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    assert link is not None
    page.goto(link.group(0))
    expect(page.get_by_label(re.compile(r"^New password:?$", re.IGNORECASE))).to_be_visible()
    assert_accessible(page)


def test_two_factor_setup_backup_codes_and_verify_pages_have_no_axe_violations(page, new_context):
    teacher = teacher_of(SchoolClassFactory(name="Robins"))

    sign_in(page, teacher.email)
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    assert_accessible(page)

    device = TOTPDevice.objects.get(user=teacher)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    assert_accessible(page)

    # A later sign-in, in a fresh browser, asks for a code.
    later = new_context().new_page()
    sign_in(later, teacher.email)
    expect(later.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    assert_accessible(later)
    later.get_by_label(CODE_LABEL).fill("12")
    later.get_by_role("button", name="Continue").click()
    expect(later.locator("#error-summary")).to_contain_text("That code is not valid")
    assert_accessible(later)

    # A wrong code while enrolling (another person: a failure throttles the device).
    other = teacher_of(SchoolClassFactory(name="Wrens"))
    enrolling = new_context().new_page()
    sign_in(enrolling, other.email)
    enrolling.get_by_label("Code from your authenticator app").fill("000000")
    enrolling.get_by_role("button", name="Confirm").click()
    expect(enrolling.locator("#error-summary")).to_contain_text("That code did not match")
    assert_accessible(enrolling)


def test_parent_home_has_no_axe_violations_on_a_phone(phone_page, new_context):
    parent = UserFactory()
    for first in ("Ruby", "Finn"):
        GuardianshipFactory(parent=parent, pupil=PupilFactory(first_name=first))

    sign_in(phone_page, parent.email)
    expect(phone_page.get_by_role("heading", name="My children")).to_be_visible()
    assert_accessible(phone_page)

    # A parent whose children are not linked yet sees the empty state.
    newcomer = UserFactory()
    GuardianshipFactory(parent=newcomer, confirmed_at=None)
    empty = new_context(phone=True).new_page()
    sign_in(empty, newcomer.email)
    assert_accessible(empty)


def test_teacher_pages_have_no_axe_violations(page):
    robins = SchoolClassFactory(name="Robins")
    empty = SchoolClassFactory(school=robins.school, name="Wrens")
    teacher = teacher_of(robins)
    empty.teachers.add(teacher)
    PupilFactory.create_batch(3, school=robins.school, school_class=robins)

    device = confirmed_totp_device(teacher)
    sign_in(page, teacher.email)
    enter_totp(page, device)
    expect(page.get_by_role("heading", level=1, name="My classes")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Robins", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Robins")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/classes/{empty.pk}/")
    expect(page.get_by_role("heading", level=1, name="Wrens")).to_be_visible()
    assert_accessible(page)


def test_school_admin_pages_have_no_axe_violations(page):
    school = SchoolFactory(name="Meadowbank Primary")
    robins = SchoolClassFactory(school=school, name="Robins")
    SchoolClassFactory(school=school, name="Wrens")
    teacher_of(robins)
    PupilFactory.create_batch(4, school=school, school_class=robins)
    PupilFactory(school=school, school_class=robins, pupil_premium=True)
    admin = admin_of(school)

    device = confirmed_totp_device(admin)
    sign_in(page, admin.email)
    enter_totp(page, device)
    expect(page.get_by_role("heading", level=1, name="Meadowbank Primary")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Robins", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Robins")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school.pk}/")
    page.get_by_role("link", name="Find pupils").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pupils at")
    assert_accessible(page)
    page.get_by_role("searchbox").or_(
        page.get_by_label(re.compile("search|name", re.I))
    ).first.fill("nobody-by-this-name")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No pupils found.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school.pk}/")
    page.get_by_role("link", name="Add staff").click()
    expect(page.get_by_role("heading", level=1, name="Add a teacher or admin")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name=re.compile(r"^Add to")).click()
    expect(page.get_by_label("Email address")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school.pk}/")
    page.get_by_role("link", name="Change teachers of Robins").click()
    expect(page.get_by_role("heading", level=1, name="Teachers of Robins")).to_be_visible()
    assert_accessible(page)


def test_school_with_no_teachers_or_classes_has_no_axe_violations(page):
    school = SchoolFactory(name="Brand New Primary")
    empty_class = SchoolClassFactory(school=school, name="Reception")
    admin = admin_of(school)

    device = confirmed_totp_device(admin)
    sign_in(page, admin.email)
    enter_totp(page, device)
    assert_accessible(page)
    page.goto(f"/schools/{school.pk}/classes/{empty_class.pk}/teachers/")
    expect(page.get_by_role("link", name="Add a teacher")).to_be_visible()
    assert_accessible(page)


def test_not_found_page_has_no_axe_violations(page):
    response = page.goto("/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert_accessible(page)


def test_roster_upload_and_preview_pages_have_no_axe_violations(page):
    school = SchoolFactory(name="Meadowbank Primary")
    admin = admin_of(school)
    device = confirmed_totp_device(admin)
    good = make_upn(1, establishment=3200)
    content = (
        "UPN,Forename,Surname,Year,Class,Contact Email,Contact Mobile,Shoe Size\n"
        f"{good},Amira,Haddad,3,3B,leila.haddad@example.org,07911 123456,3\n"
        "A123,Yusuf,Haddad,4,4K,leila.haddad@example.org,,4\n"
        f"{make_upn(2, establishment=3200)},Oliver,Brennan,3,3B,,not a phone,2\n"
    ).encode()

    sign_in(page, admin.email)
    enter_totp(page, device)
    page.goto(f"/schools/{school.pk}/roster/")
    expect(page.get_by_role("heading", level=1, name="Import your roster")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Check this file").click()  # no file chosen
    expect(page.locator("#error-summary")).to_contain_text("Choose a roster file to upload.")
    assert_accessible(page)

    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Check this file").click()
    expect(page.get_by_role("heading", level=2, name="Rows with errors")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Apply this import").click()
    expect(page.get_by_role("heading", level=1, name="Roster imported")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school.pk}/roster/")
    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": "photo.csv", "mimeType": "text/csv", "buffer": b"\x89PNG\r\n\x1a\n\x00"}]
    )
    page.get_by_role("button", name="Check this file").click()
    expect(page.get_by_role("heading", name="This file could not be imported")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/schools/{school.pk}/roster/")
    expect(page.get_by_role("table", name=re.compile("last files uploaded"))).to_be_visible()
    assert_accessible(page)

    # A large file still being checked by a worker shows a progress bar.
    checking = RosterImport.objects.create(
        school=school,
        uploaded_by=admin,
        file_name="big.csv",
        content=b"",
        status=RosterImport.Status.CHECKING,
        row_count=3400,
    )
    page.goto(f"/schools/{school.pk}/roster/{checking.pk}/")
    expect(page.get_by_role("heading", name="Checking your roster file")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert_accessible(page)
