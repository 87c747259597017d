"""Security events follow sign-ins, second factors, devices and passwords, as a
person does them through the real pages."""

import logging
import re

import pytest
from allauth.account.signals import password_set
from django.core import mail
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.lookup import email_lookup_hash
from accounts.services import backup_codes_regenerate, totp_device_confirm
from audit.models import SecurityEvent
from tests.accounts.test_two_factor import code_for
from tests.factories import SchoolFactory, UserFactory, admin_of, confirmed_totp_device

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
PASSWORD = "correct-horse-battery"
LOGIN_URL = "/accounts/login/"
VERIFY = "/two-factor/verify/"
SETUP = "/two-factor/setup/"
BROWSER = {"REMOTE_ADDR": "198.51.100.20", "HTTP_USER_AGENT": "TestBrowser/1.0"}


def _log_in(client, email, password=PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **BROWSER)


def _events(kind):
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


def _one(kind) -> SecurityEvent:
    events = _events(kind)
    assert len(events) == 1, f"{len(events)} {kind} events"
    return events[0]


def _row_text(event: SecurityEvent) -> str:
    row = SecurityEvent.objects.filter(pk=event.pk).values().get()
    return " ".join(str(value) for value in row.values()).lower()


# --- Signing in and out ---------------------------------------------------------------


def test_signing_in_records_who_from_where(client):
    user = UserFactory(email="ann@example.org")

    response = _log_in(client, "ann@example.org")

    assert response.status_code == 302
    event = _one(Kind.SIGN_IN)
    assert event.user == user
    assert (event.ip_address, event.user_agent) == ("198.51.100.20", "TestBrowser/1.0")


def test_a_wrong_password_records_a_failed_sign_in_for_the_account(client):
    user = UserFactory(email="ann@example.org")

    response = _log_in(client, "Ann@Example.org", "not-the-password")

    assert response.status_code == 200
    assert not _events(Kind.SIGN_IN)
    event = _one(Kind.SIGN_IN_FAILED)
    assert event.user == user
    assert event.email_hash == email_lookup_hash("ann@example.org")
    assert event.ip_address == "198.51.100.20"
    text = _row_text(event)
    assert "ann@" not in text
    assert "not-the-password" not in text
    assert "****" not in text


def test_a_failed_sign_in_for_an_unknown_email_keeps_only_its_hash(client):
    UserFactory(email="ann@example.org")

    _log_in(client, "nobody@example.org", "whatever-it-was")

    event = _one(Kind.SIGN_IN_FAILED)
    assert event.user is None
    assert event.email_hash == email_lookup_hash("nobody@example.org")
    assert "nobody" not in _row_text(event)
    assert "whatever-it-was" not in _row_text(event)


def test_signing_out_records_who_signed_out(client):
    user = UserFactory(email="ann@example.org")
    _log_in(client, "ann@example.org")

    client.post("/accounts/logout/", **BROWSER)

    event = _one(Kind.SIGN_OUT)
    assert event.user == user
    assert event.ip_address == "198.51.100.20"


def test_a_receiver_that_fails_does_not_stop_the_sign_in(client, monkeypatch, caplog):
    """The receiver writes its event, then a write the database refuses (a kind
    outside the check constraint): the savepoint undoes both and the sign-in goes
    on, on PostgreSQL too (where an error would otherwise end the transaction)."""
    import audit.receivers
    from audit.services import security_event_record

    def broken(**fields):
        security_event_record(**fields)
        SecurityEvent.objects.create(kind="not-a-kind")

    monkeypatch.setattr(audit.receivers, "security_event_record", broken)
    user = UserFactory(email="ann@example.org")

    with caplog.at_level(logging.ERROR, logger="audit.receivers"):
        response = _log_in(client, "ann@example.org")

    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).wsgi_request.user == user
    assert "Could not record a security event" in caplog.text
    assert not SecurityEvent.objects.exists(), "the failed receiver's writes are undone"


def test_a_receiver_that_raises_does_not_stop_the_wrong_password_page(client, monkeypatch):
    import audit.receivers

    def broken(**fields):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(audit.receivers, "security_event_record", broken)
    UserFactory(email="ann@example.org")

    response = _log_in(client, "ann@example.org", "not-the-password")

    assert response.status_code == 200
    assert "not correct" in response.content.decode()


# --- Passwords ------------------------------------------------------------------------


def test_changing_the_password_is_recorded(client):
    user = UserFactory(email="ann@example.org")
    _log_in(client, "ann@example.org")

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-secret-42",
            "password2": "a-brand-new-secret-42",
        },
        **BROWSER,
    )

    assert response.status_code == 302
    event = _one(Kind.PASSWORD_CHANGED)
    assert (event.user, event.ip_address) == (user, "198.51.100.20")
    assert "a-brand-new-secret-42" not in _row_text(event)


def test_setting_a_first_password_is_recorded_as_a_change(client):
    user = UserFactory(email="ann@example.org")
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    response = client.post(
        "/accounts/password/set/",
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
        **BROWSER,
    )

    assert response.status_code == 302
    assert _one(Kind.PASSWORD_CHANGED).user == user


def test_the_password_set_signal_alone_is_recorded(rf):
    user = UserFactory()
    request = rf.post("/", REMOTE_ADDR="192.0.2.9")
    request.user = user

    password_set.send(sender=type(user), request=request, user=user)

    event = _one(Kind.PASSWORD_CHANGED)
    assert (event.user, event.ip_address) == (user, "192.0.2.9")


def test_resetting_the_password_by_email_is_recorded(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="ann@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the email goes through the outbox
        client.post("/accounts/password/reset/", {"email": "ann@example.org"})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body)

    form_url = client.get(link.group(1))["Location"]
    done = client.post(
        form_url,
        {"password1": "a-brand-new-secret-42", "password2": "a-brand-new-secret-42"},
        **BROWSER,
    )

    assert done.status_code == 302
    event = _one(Kind.PASSWORD_RESET)
    assert (event.user, event.ip_address) == (user, "198.51.100.20")
    assert not _events(Kind.PASSWORD_CHANGED)


# --- The second factor ----------------------------------------------------------------


@pytest.fixture
def enrolled_admin():
    admin = admin_of(SchoolFactory(), email="admin@example.org")
    return admin, confirmed_totp_device(admin)


def test_a_correct_code_at_sign_in_records_the_second_factor_passed(client, enrolled_admin):
    admin, device = enrolled_admin
    _log_in(client, admin.email)

    response = client.post(VERIFY, {"token": code_for(device)}, **BROWSER)

    assert response.status_code == 302
    event = _one(Kind.SECOND_FACTOR_PASSED)
    assert (event.user, event.ip_address) == (admin, "198.51.100.20")
    assert event.details == {"method": "authenticator_app"}
    assert not _events(Kind.SECOND_FACTOR_FAILED)


def test_a_backup_code_at_sign_in_is_recorded_as_such(client, enrolled_admin):
    admin, _ = enrolled_admin
    codes = backup_codes_regenerate(user=admin)
    _log_in(client, admin.email)

    client.post(VERIFY, {"token": codes[0]}, **BROWSER)

    assert _one(Kind.SECOND_FACTOR_PASSED).details == {"method": "backup_code"}


def test_a_wrong_code_at_sign_in_records_a_failed_second_factor(client, enrolled_admin):
    """django-otp's signal carries no request: the address comes from the request
    being served."""
    admin, device = enrolled_admin
    _log_in(client, admin.email)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(VERIFY, {"token": wrong}, **BROWSER)

    assert response.status_code == 200
    event = _one(Kind.SECOND_FACTOR_FAILED)
    assert (event.user, event.ip_address, event.user_agent) == (
        admin,
        "198.51.100.20",
        "TestBrowser/1.0",
    )
    assert not _events(Kind.SECOND_FACTOR_PASSED)


def _start_enrolment(client) -> TOTPDevice:
    admin = admin_of(SchoolFactory(), email="admin@example.org")
    _log_in(client, admin.email)
    client.get(SETUP)
    return TOTPDevice.objects.get(user=admin)


def test_a_wrong_code_at_enrolment_records_a_failed_second_factor(client):
    device = _start_enrolment(client)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    client.post(SETUP, {"token": wrong}, **BROWSER)

    event = _one(Kind.SECOND_FACTOR_FAILED)
    assert (event.user, event.ip_address) == (device.user, "198.51.100.20")
    assert not _events(Kind.DEVICE_ADDED)


def test_enrolling_an_app_records_the_device_the_second_factor_and_the_codes(client):
    device = _start_enrolment(client)
    admin = device.user
    assert not _events(Kind.DEVICE_ADDED), "an unconfirmed device is not an addition"

    response = client.post(SETUP, {"token": code_for(device)}, **BROWSER)

    assert response.status_code == 200
    added = _one(Kind.DEVICE_ADDED)
    assert (added.user, added.details) == (admin, {"device": device.pk})
    assert added.ip_address == "198.51.100.20"
    assert _one(Kind.SECOND_FACTOR_PASSED).user == admin
    assert _one(Kind.BACKUP_CODES_REGENERATED).user == admin
    assert not _events(Kind.DEVICE_REMOVED)


def test_new_backup_codes_are_recorded(staff_client):
    admin = admin_of(SchoolFactory())
    client = staff_client(admin)

    response = client.post(reverse("accounts:two_factor_backup_codes"), **BROWSER)

    assert response.status_code == 200
    event = _one(Kind.BACKUP_CODES_REGENERATED)
    assert (event.user, event.ip_address) == (admin, "198.51.100.20")


# --- Devices ----------------------------------------------------------------------------


def test_a_device_created_confirmed_is_an_addition():
    user = UserFactory()

    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)

    assert _one(Kind.DEVICE_ADDED).details == {"device": device.pk}


def test_other_saves_of_a_device_and_backup_codes_are_not_additions():
    user = UserFactory()
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=False)
    device.name = "Renamed"
    device.save()
    confirmed = confirmed_totp_device(UserFactory())
    confirmed.verify_token(code_for(confirmed))  # saves the device (last code used)
    StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)

    assert [event.user for event in _events(Kind.DEVICE_ADDED)] == [confirmed.user]


def test_deleting_a_confirmed_device_is_a_removal():
    user = UserFactory()
    device = confirmed_totp_device(user)
    unconfirmed = TOTPDevice.objects.create(user=user, name="Half set up", confirmed=False)

    device_pk = device.pk
    device.delete()
    unconfirmed.delete()

    event = _one(Kind.DEVICE_REMOVED)
    assert (event.user, event.details) == (user, {"device": device_pk})


def test_replacing_an_app_records_the_old_one_removed_and_the_new_one_added():
    user = UserFactory()
    old = confirmed_totp_device(user)
    new = TOTPDevice.objects.create(user=user, name="New phone", confirmed=False)

    assert totp_device_confirm(device=new, token=code_for(new)) is not None

    assert _one(Kind.DEVICE_REMOVED).details == {"device": old.pk}
    assert [event.details for event in _events(Kind.DEVICE_ADDED)] == [
        {"device": old.pk},
        {"device": new.pk},
    ]


def test_deleting_an_account_with_a_device_records_no_removal_and_succeeds():
    user = UserFactory()
    confirmed_totp_device(user)
    SecurityEvent.objects.all().delete()

    user.delete()

    assert not _events(Kind.DEVICE_REMOVED)
    assert not type(user).objects.filter(pk=user.pk).exists()
