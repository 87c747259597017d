"""Whole journeys in a real browser, through what people see: labels, roles, text."""

import base64
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import User
from schools.models import Guardianship, Pupil, YearGroup
from tests.browser.helpers import CODE_LABEL, sign_in, sign_in_staff
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
from tests.schools.test_worker import large_roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Six pupils in two classes; Amira and Yusuf Haddad share their mother, whose email
# and mobile are written differently on each row. {upn1}..{upn6} are filled in.
ROSTER_CSV = """\
UPN,Forename,Surname,Year,Class,Pupil Premium,Contact Forename,Contact Surname,Contact Email,Contact Mobile,Relationship,Parental Responsibility
{upn1},Amira,Haddad,3,3B,Y,Leila,Haddad,Leila.Haddad@Example.org,07911 123456,Mother,Y
{upn2},Yusuf,Haddad,4,4K,Y,Leila,Haddad,leila.haddad@example.org,+447911123456,Mother,Y
{upn3},Oliver,Brennan,3,3B,N,Siobhan,Brennan,siobhan.b@example.org,,Mother,Y
{upn4},Grace,Okafor,3,3B,N,Chidi,Okafor,,07400 654321,Father,Y
{upn5},Harvey,Lindqvist,4,4K,N,Maja,Lindqvist,maja.l@example.org,,Mother,Y
{upn6},Poppy,Featherstone,4,4K,Yes,Tom,Featherstone,tom.f@example.org,,Father,Y
"""  # noqa: E501
ROSTER_NAMES = [
    "Amira Haddad",
    "Yusuf Haddad",
    "Oliver Brennan",
    "Grace Okafor",
    "Harvey Lindqvist",
    "Poppy Featherstone",
]


def roster_csv(establishment: int) -> bytes:
    upns = {f"upn{n}": make_upn(n, establishment=establishment) for n in range(1, 7)}
    return ROSTER_CSV.format(**upns).replace("\n", "\r\n").encode()


def main_text(page) -> str:
    return page.get_by_role("main").inner_text()


def test_school_admin_signs_in_with_totp_imports_a_roster_and_finds_the_pupils(page):
    school = SchoolFactory(name="Meadowbank Primary")
    admin = admin_of(school, first_name="Rhiannon", last_name="Pryce")
    device = confirmed_totp_device(admin)

    sign_in(page, admin.email)
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label(CODE_LABEL).fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1, name="Meadowbank Primary")).to_be_visible()
    assert page.url.rstrip("/").endswith(f"/schools/{school.pk}")

    page.get_by_role("link", name="Import roster").click()
    expect(page.get_by_role("heading", level=1, name="Import your roster")).to_be_visible()
    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": "roster.csv", "mimeType": "text/csv", "buffer": roster_csv(3100)}]
    )
    page.get_by_role("button", name="Check this file").click()

    # The dry run: what would change, and nothing applied yet.
    expect(
        page.get_by_role("heading", level=1, name="Check the roster before importing")
    ).to_be_visible()
    preview = page.get_by_role("table", name="What importing this file would change")
    expected = {
        "Pupils to create": "6",
        "Classes to create": "2",
        "Parent accounts to create": "5",
        "Children to link to parents": "6",
        "Rows with errors (will be skipped)": "0",
    }
    for label, count in expected.items():
        expect(preview.get_by_role("row", name=label).get_by_role("cell")).to_have_text(count)
    assert not Pupil.objects.filter(school=school).exists()

    page.get_by_role("button", name="Apply this import").click()
    expect(page.get_by_role("heading", level=1, name="Roster imported")).to_be_visible()
    expect(page.get_by_text("The roster has been imported.")).to_be_visible()
    applied = page.get_by_role("table", name="What the import changed")
    expect(applied.get_by_role("row", name="Pupils created").get_by_role("cell")).to_have_text("6")

    pupils = Pupil.objects.filter(school=school)
    assert pupils.count() == 6
    amira = pupils.get(first_name="Amira")
    yusuf = pupils.get(first_name="Yusuf")
    shared = set(amira.guardianships.values_list("parent", flat=True))
    assert shared == set(yusuf.guardianships.values_list("parent", flat=True))
    assert len(shared) == 1
    assert User.objects.filter(guardianships__pupil__school=school).distinct().count() == 5

    page.get_by_role("link", name="See the pupils").click()
    table = page.get_by_role("table")
    for name in ROSTER_NAMES:
        expect(table.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("table").get_by_role("caption")).to_have_text("6 pupils")


def test_new_staff_member_enrols_an_authenticator_app_and_is_shown_backup_codes(page):
    school = SchoolFactory(name="Kingfisher Academy")
    teacher = teacher_of(SchoolClassFactory(school=school, name="Robins"))
    assert not TOTPDevice.objects.filter(user=teacher).exists()

    sign_in(page, teacher.email)

    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    key_text = page.get_by_text(re.compile(r"^Key:")).inner_text()
    key = re.sub(r"\s+", "", key_text.removeprefix("Key:"))
    key_bytes = base64.b32decode(key + "=" * (-len(key) % 8))
    code = totp(key_bytes, step=30, t0=0, digits=6)

    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    shown = page.get_by_role("main").get_by_role("list").get_by_role("listitem").all_inner_texts()
    device = TOTPDevice.objects.get(user=teacher)
    assert device.confirmed
    assert device.bin_key == key_bytes
    stored = set(StaticToken.objects.filter(device__user=teacher).values_list("token", flat=True))
    assert len(shown) == 10
    assert set(shown) == stored

    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_role("heading", name="My classes")).to_be_visible()
    expect(page.get_by_role("heading", name="Robins")).to_be_visible()


def test_teacher_sees_only_their_own_classes_and_pupils(page):
    school = SchoolFactory(name="Alder Grove Primary")
    robins = SchoolClassFactory(school=school, name="Robins", year_group=YearGroup.Y2)
    wrens = SchoolClassFactory(school=school, name="Wrens", year_group=YearGroup.Y2)
    elsewhere = SchoolClassFactory(name="Kestrels")  # another school
    teacher = teacher_of(robins)
    teacher_of(wrens)
    teacher_of(elsewhere)
    PupilFactory(school=school, school_class=robins, first_name="Isla", last_name="Merriweather")
    PupilFactory(school=school, school_class=robins, first_name="Theo", last_name="Ashdown")
    PupilFactory(school=school, school_class=wrens, first_name="Freya", last_name="Kowalczyk")
    PupilFactory(
        school=elsewhere.school, school_class=elsewhere, first_name="Arlo", last_name="Pennington"
    )
    device = confirmed_totp_device(teacher)

    sign_in_staff(page, teacher, device)

    expect(page.get_by_role("heading", level=1, name="My classes")).to_be_visible()
    expect(page.get_by_role("heading", name="Robins")).to_be_visible()
    text = main_text(page)
    assert "Isla Merriweather" in text
    assert "Theo Ashdown" in text
    for hidden in ("Wrens", "Freya Kowalczyk", "Kestrels", "Arlo Pennington"):
        assert hidden not in text

    page.get_by_role("link", name="Robins", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Robins")).to_be_visible()
    table = page.get_by_role("table", name="Pupils in Robins")
    expect(table.get_by_role("row")).to_have_count(3)  # header and two pupils
    expect(table).not_to_contain_text("Pupil Premium")  # admins only

    for other in (wrens, elsewhere):
        response = page.goto(f"/classes/{other.pk}/")
        assert response.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        assert other.name not in main_text(page)


def test_parent_on_a_phone_sees_only_their_own_children(phone_page):
    page = phone_page
    north = SchoolFactory(name="Northfield Infants")
    south = SchoolFactory(name="Southgate Juniors")
    hedgehogs = SchoolClassFactory(school=north, name="Hedgehogs", year_group=YearGroup.Y1)
    owls = SchoolClassFactory(school=south, name="Owls", year_group=YearGroup.Y5)
    parent = UserFactory(first_name="Niamh", last_name="Gallagher")
    ruby = PupilFactory(
        school=north, school_class=hedgehogs, first_name="Ruby", last_name="Gallagher"
    )
    finn = PupilFactory(school=south, school_class=owls, first_name="Finn", last_name="Gallagher")
    GuardianshipFactory(parent=parent, pupil=ruby)
    GuardianshipFactory(parent=parent, pupil=finn)
    # Ruby's classmate, another parent's child, a not yet accepted link and an ended one.
    PupilFactory(school=north, school_class=hedgehogs, first_name="Mabel", last_name="Thornbury")
    GuardianshipFactory(
        pupil=PupilFactory(school=south, school_class=owls, first_name="Jude", last_name="Okonkwo")
    )
    GuardianshipFactory(
        parent=parent,
        confirmed_at=None,
        pupil=PupilFactory(school=north, first_name="Ivy", last_name="Castellano"),
    )
    GuardianshipFactory(
        parent=parent,
        ended_at=timezone.now(),
        pupil=PupilFactory(school=south, first_name="Reggie", last_name="Doyle"),
    )
    assert Guardianship.objects.filter(parent=parent).count() == 4

    sign_in(page, parent.email)

    expect(page.get_by_role("heading", level=1, name="My children")).to_be_visible()
    children = page.get_by_role("main").get_by_role("heading", level=2)
    expect(children).to_have_text(["Finn Gallagher", "Ruby Gallagher"])
    text = main_text(page)
    assert "Hedgehogs" in text and "Owls" in text
    for hidden in ("Mabel", "Jude", "Ivy", "Reggie"):
        assert hidden not in text

    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.celery_worker
def test_a_large_roster_is_checked_and_applied_by_the_worker_behind_a_progress_bar(
    page, celery_worker
):
    school = SchoolFactory(name="Riverside Primary")
    admin = admin_of(school)
    device = confirmed_totp_device(admin)
    content = large_roster(pupils=3000)
    rows = content.count(b"\n") - 1

    sign_in_staff(page, admin, device)
    page.get_by_role("link", name="Import roster").click()
    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": "whole-school.csv", "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Check this file").click()

    # The worker checks the file while the page shows its progress, then reloads.
    expect(page.get_by_role("heading", level=1, name="Checking your roster file")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(page.get_by_text(f"of {rows} rows processed")).to_be_visible()
    expect(
        page.get_by_role("heading", level=1, name="Check the roster before importing")
    ).to_be_visible(timeout=90_000)
    preview = page.get_by_role("table", name="What importing this file would change")
    expect(preview.get_by_role("row", name="Pupils to create").get_by_role("cell")).to_have_text(
        "3000"
    )
    assert not Pupil.objects.filter(school=school).exists()

    page.get_by_role("button", name="Apply this import").click()
    expect(page.get_by_role("heading", level=1, name="Importing your roster")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Roster imported")).to_be_visible(
        timeout=90_000
    )
    applied = page.get_by_role("table", name="What the import changed")
    expect(applied.get_by_role("row", name="Pupils created").get_by_role("cell")).to_have_text(
        "3000"
    )
    expect(
        applied.get_by_role("row", name="Rows with errors (skipped)").get_by_role("cell")
    ).to_have_text("0")
    assert Pupil.objects.filter(school=school).count() == 3000
    assert User.objects.filter(guardianships__pupil__school=school).distinct().count() == 2100
