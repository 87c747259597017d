"""Staff enrol and verify a TOTP device before any staff page or the Django admin opens."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership
from tests.factories import (
    GuardianshipFactory,
    SchoolClassFactory,
    UserFactory,
    admin_of,
    confirmed_totp_device,
    teacher_of,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
SETUP = "/two-factor/setup/"
VERIFY = "/two-factor/verify/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or that many 30-second steps later)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


@pytest.fixture
def school_class():
    return SchoolClassFactory(name="Oak")


@pytest.fixture
def staff(school_class):
    """One of each kind of staff account, none enrolled yet."""
    return {
        "teacher": teacher_of(school_class, email="teacher@example.org"),
        "school_admin": admin_of(school_class.school, email="admin@example.org"),
        "platform_staff": UserFactory(email="staff@example.org", is_staff=True, is_superuser=True),
    }


def staff_urls(school_class):
    school = school_class.school
    return [
        "/",
        reverse("schools:teacher_classes"),
        reverse("schools:class_detail", args=[school_class.pk]),
        reverse("schools:school_overview", args=[school.pk]),
        reverse("schools:school_pupils", args=[school.pk]),
        reverse("accounts:staff_add", args=[school.pk]),
        reverse("schools:class_teachers", args=[school.pk, school_class.pk]),
        reverse("schools:parent_home"),
        "/admin/",
        "/admin/accounts/user/",
    ]


def log_in(client, user):
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "password accepted"
    return response


STAFF_KINDS = ["teacher", "school_admin", "platform_staff"]


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_staff_without_a_device_are_sent_to_setup_from_every_page(
    client, staff, school_class, kind
):
    log_in(client, staff[kind])

    for url in staff_urls(school_class):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(SETUP), url


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_staff_with_a_device_are_sent_to_verify_from_every_page(client, staff, school_class, kind):
    confirmed_totp_device(staff[kind])
    log_in(client, staff[kind])

    for url in staff_urls(school_class):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY), url


def test_sign_in_itself_leads_staff_to_setup(client, staff):
    response = log_in(client, staff["teacher"])

    followed = client.get(response["Location"], follow=True)

    assert followed.redirect_chain[-1][0].startswith(SETUP)
    assert "Set up two-step sign-in" in followed.content.decode()


def _enrol(client, user):
    setup = client.get(SETUP)
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return device, client.post(SETUP, {"token": code_for(device)})


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_enrolment_with_a_correct_code_confirms_the_device_and_opens_the_pages(
    client, staff, school_class, kind
):
    user = staff[kind]
    log_in(client, user)

    device, response = _enrol(client, user)

    device.refresh_from_db()
    assert device.confirmed
    html = response.content.decode()
    codes = re.findall(r"<li>([a-z0-9]{10})</li>", html)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    page = "/admin/" if kind == "platform_staff" else staff_urls(school_class)[1]
    assert client.get(page).status_code == 200


def test_teacher_after_enrolment_sees_their_classes(client, staff):
    log_in(client, staff["teacher"])
    _enrol(client, staff["teacher"])

    response = client.get(reverse("schools:teacher_classes"))

    assert response.status_code == 200
    assert "Oak" in response.content.decode()


def test_enrolment_with_a_wrong_code_does_not_confirm(client, staff, school_class):
    user = staff["teacher"]
    log_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(SETUP, {"token": wrong})

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert client.get(reverse("schools:teacher_classes"))["Location"].startswith(SETUP)


@pytest.mark.parametrize("bad", ["", "abcdef", "12", "9" * 8, "<script>"])
def test_setup_with_nonsense_is_a_form_error_not_a_500(client, staff, bad):
    log_in(client, staff["teacher"])
    client.get(SETUP)

    response = client.post(SETUP, {"token": bad})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=staff["teacher"], confirmed=True).exists()


def test_setup_page_reuses_one_unconfirmed_device(client, staff):
    log_in(client, staff["teacher"])

    client.get(SETUP)
    client.get(SETUP)

    assert TOTPDevice.objects.filter(user=staff["teacher"]).count() == 1


def _enrolled_then_new_session(client, user):
    log_in(client, user)
    device, _ = _enrol(client, user)
    codes = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    client.post("/accounts/logout/")
    log_in(client, user)
    device.refresh_from_db()
    return device, codes


def test_a_new_session_must_verify_with_the_app(client, staff):
    user = staff["school_admin"]
    device, _ = _enrolled_then_new_session(client, user)
    overview = reverse("schools:school_overview", args=[user.memberships.get().school_id])

    redirected = client.get(overview)
    assert redirected["Location"].startswith(VERIFY)

    response = client.post(f"{VERIFY}?next={overview}", {"token": code_for(device, 1)})

    assert response.status_code == 302
    assert response["Location"] == overview
    assert client.get(overview).status_code == 200


def test_a_wrong_code_does_not_verify(client, staff):
    user = staff["teacher"]
    device, _ = _enrolled_then_new_session(client, user)
    wrong = f"{(int(code_for(device, 1)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"token": wrong})

    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    assert client.get(reverse("schools:teacher_classes"))["Location"].startswith(VERIFY)


def test_a_backup_code_works_once_only(client, staff):
    user = staff["teacher"]
    _, codes = _enrolled_then_new_session(client, user)

    first = client.post(VERIFY, {"token": codes[0].upper()})
    assert first.status_code == 302
    assert client.get(reverse("schools:teacher_classes")).status_code == 200

    client.post("/accounts/logout/")
    log_in(client, user)
    again = client.post(VERIFY, {"token": codes[0]})

    assert again.status_code == 200
    assert client.get(reverse("schools:teacher_classes"))["Location"].startswith(VERIFY)
    assert not StaticToken.objects.filter(device__user=user, token=codes[0]).exists()


def test_an_unverified_user_cannot_replace_their_device(client, staff):
    user = staff["teacher"]
    device, _ = _enrolled_then_new_session(client, user)

    page = client.get(SETUP)
    posted = client.post(SETUP, {"token": "123456"})

    assert page.status_code == 302
    assert page["Location"].startswith(VERIFY)
    assert posted.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


def test_an_unverified_user_cannot_regenerate_backup_codes(client, staff):
    user = staff["teacher"]
    _, codes = _enrolled_then_new_session(client, user)

    response = client.post(reverse("accounts:two_factor_backup_codes"))

    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    assert set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    ) == set(codes)


def test_a_verified_user_can_regenerate_backup_codes(client, staff):
    user = staff["teacher"]
    log_in(client, user)
    _enrol(client, user)
    old = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))

    response = client.post(reverse("accounts:two_factor_backup_codes"))

    new = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert response.status_code == 200
    assert len(new) == 10
    assert not new & old
    assert all(code in response.content.decode() for code in new)


@pytest.mark.parametrize(
    ("next_url", "followed"),
    [
        ("/classes/", True),
        ("/classes/?page=2", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("http://testserver.evil.example/", False),
        ("javascript:alert(1)", False),
        ("/\\evil.example", False),
    ],
)
def test_next_is_followed_only_to_same_host_urls(client, staff, next_url, followed):
    user = staff["teacher"]
    device, _ = _enrolled_then_new_session(client, user)

    response = client.post(VERIFY, {"token": code_for(device, 1), "next": next_url})

    assert response.status_code == 302
    if followed:
        assert response["Location"] == next_url
    else:
        assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_next_after_enrolment_is_only_same_host(client, staff, next_url):
    user = staff["teacher"]
    log_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"token": code_for(device), "next": next_url})

    html = response.content.decode()
    assert "evil.example" not in html
    assert _continue_link(html) == "/"


def _continue_link(html: str) -> str:
    match = re.search(r'<a class="button" href="([^"]*)">I have saved my codes</a>', html)
    assert match, html
    return match.group(1)


def test_after_enrolment_without_next_the_continue_link_goes_home(client, staff):
    user = staff["teacher"]
    log_in(client, user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(SETUP, {"token": code_for(device)})

    assert _continue_link(response.content.decode()) == "/"


def test_after_enrolment_the_continue_link_goes_where_the_user_was_heading(client, staff):
    user = staff["teacher"]
    log_in(client, user)
    redirected = client.get(reverse("schools:teacher_classes"))
    setup_url = redirected["Location"]
    client.get(setup_url)
    device = TOTPDevice.objects.get(user=user)

    response = client.post(setup_url, {"token": code_for(device), "next": "/classes/"})

    assert _continue_link(response.content.decode()) == "/classes/"


def test_the_page_asked_for_survives_the_second_factor_with_its_query(client, staff):
    user = staff["school_admin"]
    device, _ = _enrolled_then_new_session(client, user)
    school_id = user.memberships.get().school_id
    wanted = f"/schools/{school_id}/pupils/?q=Ann&page=1"

    redirected = client.get(wanted)
    verify_page = client.get(redirected["Location"])
    next_value = verify_page.context["next"]
    response = client.post(
        redirected["Location"], {"token": code_for(device, 1), "next": next_value}
    )

    assert response["Location"] == wanted


def test_a_parent_is_never_asked_for_a_second_factor(client):
    guardianship = GuardianshipFactory(parent__email="parent@example.org")
    log_in(client, guardianship.parent)

    home = client.get("/", follow=True)
    children = client.get(reverse("schools:parent_home"))
    setup = client.get(SETUP)

    assert all("two-factor" not in url for url, _ in home.redirect_chain)
    assert children.status_code == 200
    assert guardianship.pupil.full_name in children.content.decode()
    assert setup.status_code == 302
    assert not setup["Location"].startswith(SETUP)
    assert not TOTPDevice.objects.filter(user=guardianship.parent).exists()


def test_a_parent_who_becomes_staff_must_enrol(client, school_class):
    guardianship = GuardianshipFactory(parent__email="parent@example.org")
    parent = guardianship.parent
    log_in(client, parent)
    assert client.get(reverse("schools:parent_home")).status_code == 200

    Membership.objects.create(user=parent, school=school_class.school, role="teacher")

    assert client.get(reverse("schools:parent_home"))["Location"].startswith(SETUP)


def test_a_code_refused_while_the_device_is_locked_says_to_wait(client):
    """After a wrong code the device is locked briefly; the message says to wait,
    not that the phone's clock is wrong, and no second factor is granted."""
    from django.utils import timezone
    from django_otp.oath import totp

    from tests.factories import SchoolFactory, admin_of, confirmed_totp_device

    admin = admin_of(SchoolFactory())
    device = confirmed_totp_device(admin)
    device.throttling_failure_count = 3
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    client.force_login(admin)
    response = client.post("/two-factor/verify/", {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 200
    assert "Wait 4 seconds" in response.content.decode()
    assert client.get("/classes/").status_code == 302
