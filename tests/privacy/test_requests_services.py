"""Privacy requests: 30 days to answer, each step audited with ids and dates only,
a closed request changed no more, and restriction or erasure on the person's
request recorded on the request itself."""

import json
import sys
import types
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.models import User
from audit.models import AuditEntry
from privacy.models import PrivacyRequest
from privacy.services import (
    PrivacyRequestError,
    privacy_request_close,
    privacy_request_erase,
    privacy_request_open,
    privacy_request_refuse,
    privacy_request_restrict,
    privacy_request_start,
)
from tests.factories import GuardianshipFactory, SchoolFactory, admin_of

pytestmark = pytest.mark.django_db

Kind = PrivacyRequest.Kind
Status = PrivacyRequest.Status
PASSWORD = "a-long-parent-password-7"
WORDS = "Please delete everything about Zebedee Quartermaine"


@pytest.fixture
def family():
    school = SchoolFactory()
    link = GuardianshipFactory(
        pupil__school=school, pupil__first_name="Zebedee", pupil__last_name="Quartermaine"
    )
    link.parent.set_password(PASSWORD)
    link.parent.save()
    return school, admin_of(school), link.parent, link.pupil


def _request(family, kind=Kind.ACCESS, **fields):
    school, admin, parent, _ = family
    return privacy_request_open(
        kind=kind, actor=admin, subject_user=parent, school=school, details=WORDS, **fields
    )


# --- Dates --------------------------------------------------------------------------


def test_a_request_is_due_30_days_after_it_was_received(family):
    received = timezone.now() - timedelta(days=4, hours=3)
    request = _request(family, received_at=received)

    assert request.received_at == received
    assert request.due_at == received + timedelta(days=30)
    request.refresh_from_db()
    assert request.due_at - request.received_at == timedelta(days=30)


def test_a_request_received_in_the_future_is_refused_and_nothing_is_written(family):
    with pytest.raises(PrivacyRequestError, match="future"):
        _request(family, received_at=timezone.now() + timedelta(days=1))
    assert not PrivacyRequest.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_request_about_a_pupil_belongs_to_the_pupils_school(family):
    school, admin, _, pupil = family
    request = privacy_request_open(kind=Kind.ACCESS, actor=admin, subject_pupil=pupil)
    assert request.school == school


@pytest.mark.parametrize(
    ("due_in", "urgency"),
    [
        (timedelta(days=-1), "overdue"),
        (timedelta(minutes=-1), "overdue"),
        (timedelta(hours=1), "nearly_due"),
        (timedelta(days=7), "nearly_due"),
        (timedelta(days=7, hours=1), "on_time"),
        (timedelta(days=29), "on_time"),
    ],
)
def test_open_requests_are_overdue_after_their_due_date_and_nearly_due_within_7_days(
    family, due_in, urgency
):
    now = timezone.now()
    request = _request(family, received_at=now + due_in - timedelta(days=30))
    assert request.urgency_at(now) == urgency


def test_a_closed_request_is_never_overdue(family):
    request = _request(family, received_at=timezone.now() - timedelta(days=40))
    privacy_request_close(privacy_request=request, actor=family[1], outcome="Sent late.")
    request.refresh_from_db()
    assert request.urgency == "closed"


# --- Steps and their audit entries -------------------------------------------------


def _only(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [entry.action for entry in AuditEntry.objects.all()]
    return entries[0]


def _assert_no_free_text(entry: AuditEntry, *texts: str) -> None:
    dumped = json.dumps(entry.changes)
    for text in ("Zebedee", "Quartermaine", *texts):
        assert text not in dumped


def test_opening_on_a_parents_behalf_is_audited_with_ids_and_dates(family):
    school, admin, parent, _ = family
    request = _request(family)

    entry = _only("privacy_request.open")
    assert (entry.actor, entry.school) == (admin, school)
    assert entry.subject_id == str(request.pk)
    assert entry.changes["kind"] == "access"
    assert entry.changes["subject_user"] == parent.pk
    assert entry.changes["subject_pupil"] is None
    assert entry.changes["on_behalf"] is True
    for field in ("received_at", "due_at"):
        written = parse_datetime(entry.changes[field])
        assert abs(written - getattr(request, field)) < timedelta(milliseconds=1)
    _assert_no_free_text(entry, WORDS, parent.email)


def test_a_parent_opening_their_own_request_is_not_on_behalf(family):
    school, _, parent, _ = family
    privacy_request_open(
        kind=Kind.RESTRICTION, actor=parent, requester=parent, subject_user=parent, school=school
    )
    assert _only("privacy_request.open").changes["on_behalf"] is False


def test_start_then_close_moves_the_request_on_and_audits_each_step(family):
    school, admin, _, _ = family
    request = _request(family)

    privacy_request_start(privacy_request=request, actor=admin)
    request.refresh_from_db()
    assert request.status == Status.IN_PROGRESS
    started = _only("privacy_request.start")
    assert (started.actor, started.school) == (admin, school)
    assert started.changes == {"kind": "access", "status": ["open", "in_progress"]}

    privacy_request_close(
        privacy_request=request, actor=admin, outcome="Sent to Zebedee's parent by post."
    )
    request.refresh_from_db()
    assert request.status == Status.DONE
    assert request.outcome == "Sent to Zebedee's parent by post."
    assert request.closed_at is not None
    closed = _only("privacy_request.close")
    assert closed.actor == admin
    assert closed.changes["status"] == ["in_progress", "done"]
    assert closed.changes["late"] is False
    assert set(closed.changes) == {"kind", "status", "due_at", "closed_at", "late"}
    _assert_no_free_text(closed, "by post")


def test_refusing_needs_a_reason_and_is_audited_without_it(family):
    request = _request(family)
    with pytest.raises(PrivacyRequestError, match="reason"):
        privacy_request_refuse(privacy_request=request, actor=family[1], reason="   ")
    request.refresh_from_db()
    assert request.is_open

    privacy_request_refuse(
        privacy_request=request, actor=family[1], reason="Manifestly unfounded: asked daily."
    )
    request.refresh_from_db()
    assert request.status == Status.REFUSED
    refused = _only("privacy_request.refuse")
    assert refused.changes["status"] == ["open", "refused"]
    _assert_no_free_text(refused, "unfounded")


def test_a_request_closed_late_says_so_in_its_entry(family):
    request = _request(family, received_at=timezone.now() - timedelta(days=31))
    privacy_request_close(privacy_request=request, actor=family[1], outcome="Done.")
    assert _only("privacy_request.close").changes["late"] is True


@pytest.mark.parametrize("how", ["done", "refused"])
def test_a_closed_request_cannot_be_changed_again(family, how):
    admin = family[1]
    request = _request(family)
    if how == "done":
        privacy_request_close(privacy_request=request, actor=admin, outcome="Sent.")
    else:
        privacy_request_refuse(privacy_request=request, actor=admin, reason="Not theirs.")
    entries = AuditEntry.objects.count()

    for step in (
        lambda: privacy_request_start(privacy_request=request, actor=admin),
        lambda: privacy_request_close(privacy_request=request, actor=admin, outcome="Again"),
        lambda: privacy_request_refuse(privacy_request=request, actor=admin, reason="Again"),
        lambda: privacy_request_restrict(privacy_request=request, actor=admin, restricted=True),
    ):
        with pytest.raises(PrivacyRequestError, match="cannot be changed"):
            step()
    request.refresh_from_db()
    assert request.outcome in {"Sent.", "Not theirs."}
    assert AuditEntry.objects.count() == entries


def test_starting_twice_is_refused_with_a_clear_message(family):
    request = _request(family)
    privacy_request_start(privacy_request=request, actor=family[1])
    with pytest.raises(PrivacyRequestError, match="already started"):
        privacy_request_start(privacy_request=request, actor=family[1])


# --- Acting on a request -------------------------------------------------------------


def test_staff_restricting_on_request_restricts_records_and_closes(client, family):
    _, admin, parent, _ = family
    request = _request(family, kind=Kind.RESTRICTION)

    privacy_request_restrict(privacy_request=request, actor=admin, restricted=True)

    parent.refresh_from_db()
    assert parent.processing_restricted
    restrict = _only("user.restrict")
    assert restrict.actor == admin
    assert restrict.changes == {"processing_restricted": True, "on_request": True}
    request.refresh_from_db()
    assert request.status == Status.DONE
    assert "restricted on" in request.outcome
    assert _only("privacy_request.close").subject_id == str(request.pk)
    # Restricted, not closed: the parent still signs in.
    assert client.login(email=parent.email, password=PASSWORD)
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_lifting_a_restriction_on_request_is_recorded_on_the_request(family):
    _, admin, parent, _ = family
    parent.processing_restricted = True
    parent.save(update_fields=["processing_restricted"])
    request = _request(family, kind=Kind.RESTRICTION)

    privacy_request_restrict(privacy_request=request, actor=admin, restricted=False)

    parent.refresh_from_db()
    assert not parent.processing_restricted
    assert _only("user.unrestrict").changes == {"processing_restricted": False, "on_request": True}
    request.refresh_from_db()
    assert request.status == Status.DONE
    assert "lifted" in request.outcome


def test_only_a_restriction_request_about_a_parent_restricts(family):
    _, admin, parent, pupil = family
    request = _request(family, kind=Kind.ACCESS)
    about_pupil = privacy_request_open(kind=Kind.RESTRICTION, actor=admin, subject_pupil=pupil)
    for wrong in (request, about_pupil):
        with pytest.raises(PrivacyRequestError):
            privacy_request_restrict(privacy_request=wrong, actor=admin, restricted=True)
    parent.refresh_from_db()
    assert not parent.processing_restricted


def test_a_failed_step_changes_nothing(family, monkeypatch):
    """The restriction and the request's outcome commit together or not at all."""
    _, admin, parent, _ = family
    request = _request(family, kind=Kind.RESTRICTION)
    import privacy.services.requests as requests_module

    def failing_close(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(requests_module, "_close", failing_close)
    with pytest.raises(RuntimeError):
        privacy_request_restrict(privacy_request=request, actor=admin, restricted=True)
    parent.refresh_from_db()
    assert not parent.processing_restricted
    assert not AuditEntry.objects.filter(action="user.restrict").exists()


def test_erasing_on_request_erases_the_parent_and_closes_the_request(family):
    """Needs ``privacy.services.erasure.user_erase``."""
    _, admin, parent, _ = family
    email = parent.email
    request = _request(family, kind=Kind.ERASURE)

    privacy_request_erase(privacy_request=request, actor=admin)

    request.refresh_from_db()
    assert request.status == Status.DONE
    assert "erased" in request.outcome
    assert request.subject_user is None  # erasure redacts the requests about the person
    assert request.details == ""
    parent.refresh_from_db()
    assert not parent.is_active
    assert parent.closed_at is not None
    assert _only("privacy_request.close").actor == admin
    assert not User.objects.filter(email=email).exists()


class _Calls(list):
    module = None


@pytest.fixture
def erasure_calls(monkeypatch):
    """``user_erase`` replaced by a stand-in that records its calls (and fails when
    told to), so these tests check how the queue calls it, not erasure itself."""
    calls = _Calls()
    module = types.ModuleType("privacy.services.erasure")

    def user_erase(*, user, actor, reason):
        calls.append({"user": user.pk, "actor": actor.pk, "reason": reason})
        if getattr(module, "fail", False):
            raise RuntimeError("erasure failed")
        return {"accounts": 1, "events": 4}

    module.user_erase = user_erase
    monkeypatch.setitem(sys.modules, "privacy.services.erasure", module)
    calls.module = module
    return calls


def test_erasing_on_request_calls_user_erase_for_the_parent_then_closes(family, erasure_calls):
    _, admin, parent, _ = family
    request = _request(family, kind=Kind.ERASURE)

    privacy_request_erase(privacy_request=request, actor=admin)

    assert erasure_calls == [{"user": parent.pk, "actor": admin.pk, "reason": "request"}]
    request.refresh_from_db()
    assert request.status == Status.DONE
    assert "erased" in request.outcome and "(5 records)" in request.outcome


def test_a_failed_erasure_leaves_the_request_open(family, erasure_calls):
    _, admin, _, _ = family
    request = _request(family, kind=Kind.ERASURE)
    erasure_calls.module.fail = True

    with pytest.raises(RuntimeError):
        privacy_request_erase(privacy_request=request, actor=admin)

    request.refresh_from_db()
    assert request.is_open
    assert not AuditEntry.objects.filter(action="privacy_request.close").exists()


def test_only_an_erasure_request_about_a_parent_erases(family, erasure_calls):
    _, admin, _, pupil = family
    access = _request(family, kind=Kind.ACCESS)
    about_pupil = privacy_request_open(kind=Kind.ERASURE, actor=admin, subject_pupil=pupil)
    for wrong in (access, about_pupil):
        with pytest.raises(PrivacyRequestError):
            privacy_request_erase(privacy_request=wrong, actor=admin)
    assert erasure_calls == []
