"""The roster upload page: upload → preview → apply, who may use it, and large files."""

import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from schools.models import Guardianship, Pupil, RosterImport
from schools.services import roster_imports as roster_services
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)
from tests.schools.roster_files import roster, row, upn

pytestmark = pytest.mark.django_db

FILE = roster(
    row(1, first="Amy", email="pat@example.org", relationship="Mother", responsibility="Y"),
    row(2, first="Ben", email="PAT@example.org", relationship="Mother", responsibility="Y"),
    row(3, first="Cara", year="Year 42"),
    row(4, first="Dan", contact_first="Jo", contact_last="Bloggs"),
)


@pytest.fixture
def eager_tasks():
    """Run Celery tasks in-process, as in the demo (also when REDIS_URL is set)."""
    from portal.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager


def upload(client, school, content=FILE, **data):
    return client.post(
        reverse("schools:roster_upload", args=[school.pk]),
        {"file": SimpleUploadedFile("export.csv", content, content_type="text/csv"), **data},
    )


def test_the_overview_links_to_the_roster_import(school_admin_client, school):
    response = school_admin_client.get(reverse("schools:school_overview", args=[school.pk]))

    assert reverse("schools:roster_upload", args=[school.pk]).encode() in response.content


def test_the_upload_page_has_a_labelled_file_input_and_checkbox(school_admin_client, school):
    response = school_admin_client.get(reverse("schools:roster_upload", args=[school.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_file">Roster file (CSV)' in page
    assert '<label for="id_remove_missing">' in page
    assert "Mark pupils missing from this file as removed" in page


def test_upload_shows_the_dry_run_then_apply_imports_it(school_admin_client, school, admin):
    response = upload(school_admin_client, school)

    stored = RosterImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("schools:roster_preview", args=[school.pk, stored.pk])
    assert stored.status == RosterImport.Status.CHECKED
    assert (stored.uploaded_by, stored.file_name, stored.row_count) == (admin, "export.csv", 4)
    assert not Pupil.objects.exists()

    preview = school_admin_client.get(response.url).content.decode()
    assert "Check the roster before importing" in preview
    assert '<th scope="row">Pupils to create</th><td>3</td>' in preview
    assert '<th scope="row">Parent accounts to create</th><td>1</td>' in preview
    assert "<tr><td>4</td><td>year group “Year 42”" in preview
    assert "Jo Bloggs has neither an email nor a mobile" in preview
    assert "Apply this import" in preview

    applied = school_admin_client.post(
        reverse("schools:roster_apply", args=[school.pk, stored.pk]), follow=True
    )

    page = applied.content.decode()
    assert "Roster imported" in page
    assert '<th scope="row">Pupils created</th><td>3</td>' in page
    assert reverse("schools:school_pupils", args=[school.pk]) in page
    assert set(Pupil.objects.filter(school=school).values_list("first_name", flat=True)) == {
        "Amy",
        "Ben",
        "Dan",
    }
    parent = User.objects.get(email="pat@example.org")
    assert parent.guardianships.count() == 2
    stored.refresh_from_db()
    assert stored.status == RosterImport.Status.APPLIED
    assert stored.applied_by == admin
    assert stored.applied_at is not None
    assert bytes(stored.content) == b""


def test_an_import_is_applied_only_once(school_admin_client, school):
    upload(school_admin_client, school)
    stored = RosterImport.objects.get()
    apply_url = reverse("schools:roster_apply", args=[school.pk, stored.pk])
    school_admin_client.post(apply_url)
    Pupil.objects.filter(first_name="Amy").update(first_name="Changed since")

    response = school_admin_client.post(apply_url, follow=True)

    assert "This import has already been applied." in response.content.decode()
    assert Pupil.objects.filter(first_name="Changed since").exists()
    assert Pupil.objects.count() == 3


def test_apply_replans_against_pupils_added_since_the_check(school_admin_client, school):
    upload(school_admin_client, school)
    stored = RosterImport.objects.get()
    PupilFactory(school=school, upn=upn(1), first_name="Amy", last_name="Smith")

    school_admin_client.post(reverse("schools:roster_apply", args=[school.pk, stored.pk]))

    stored.refresh_from_db()
    assert stored.status == RosterImport.Status.APPLIED
    assert stored.summary["pupils_create"] == 2
    assert Pupil.objects.filter(school=school).count() == 3


def test_remove_missing_checkbox_marks_absent_pupils_as_removed(school_admin_client, school):
    absent = PupilFactory(school=school, first_name="Gone")

    upload(school_admin_client, school, remove_missing="on")
    stored = RosterImport.objects.get()
    preview = school_admin_client.get(
        reverse("schools:roster_preview", args=[school.pk, stored.pk])
    )
    assert '<th scope="row">Pupils to mark as removed</th><td>1</td>' in preview.content.decode()
    school_admin_client.post(reverse("schools:roster_apply", args=[school.pk, stored.pk]))

    absent.refresh_from_db()
    assert absent.removed_by_school_at is not None


def test_apply_is_post_only(school_admin_client, school):
    upload(school_admin_client, school)
    stored = RosterImport.objects.get()

    response = school_admin_client.get(reverse("schools:roster_apply", args=[school.pk, stored.pk]))

    assert response.status_code == 405
    assert not Pupil.objects.exists()


def _outsiders(school):
    other_school = SchoolFactory()
    pupil = PupilFactory(school=school)
    parent = GuardianshipFactory(pupil=pupil).parent
    teacher = teacher_of(pupil.school_class)
    return {"teacher": teacher, "parent": parent, "other admin": admin_of(other_school)}


@pytest.mark.parametrize("who", ["teacher", "parent", "other admin"])
def test_only_the_schools_admins_reach_the_roster_pages(client, school_admin_client, school, who):
    upload(school_admin_client, school)
    stored = RosterImport.objects.get()
    outsider = _outsiders(school)[who]
    client.logout()
    sign_in_verified(client, outsider)
    pupils_before = Pupil.objects.count()

    responses = [
        client.get(reverse("schools:roster_upload", args=[school.pk])),
        upload(client, school),
        client.get(reverse("schools:roster_preview", args=[school.pk, stored.pk])),
        client.get(reverse("schools:roster_status", args=[school.pk, stored.pk])),
        client.post(reverse("schools:roster_apply", args=[school.pk, stored.pk])),
    ]

    assert [response.status_code for response in responses] == [404] * 5
    assert RosterImport.objects.count() == 1
    stored.refresh_from_db()
    assert stored.status == RosterImport.Status.CHECKED
    assert Pupil.objects.count() == pupils_before


def test_an_admin_cannot_reach_another_schools_import_through_their_own_school(
    staff_client, school
):
    other_school = SchoolFactory()
    other_import = RosterImport.objects.create(
        school=other_school, file_name="theirs.csv", status=RosterImport.Status.CHECKED
    )
    client = staff_client(admin_of(school))

    preview = client.get(reverse("schools:roster_preview", args=[school.pk, other_import.pk]))
    applied = client.post(reverse("schools:roster_apply", args=[school.pk, other_import.pk]))

    assert (preview.status_code, applied.status_code) == (404, 404)


@pytest.mark.parametrize("pupils", [1, 30])
def test_the_preview_page_makes_the_same_number_of_queries_for_1_or_30_pupils(
    school_admin_client, school, pupils, django_assert_num_queries
):
    rows = [row(serial, first=f"P{serial}", email=f"p{serial}@example.org", year="99")
            for serial in range(pupils)]  # fmt: skip
    upload(school_admin_client, school, roster(*rows, *(row(100 + n) for n in range(pupils))))
    stored = RosterImport.objects.get()
    url = reverse("schools:roster_preview", args=[school.pk, stored.pk])

    # session, user, OTP device, the consent status, school (admin check), the
    # import, and the two queries of the navigation links in base.html
    with django_assert_num_queries(8):
        response = school_admin_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("year group “99”") == pupils


def test_errors_beyond_the_stored_limit_are_counted(school_admin_client, school, monkeypatch):
    monkeypatch.setattr(roster_services, "MAX_STORED_ISSUES", 2)
    upload(school_admin_client, school, roster(*(row(serial, year="99") for serial in range(5))))
    stored = RosterImport.objects.get()

    page = school_admin_client.get(reverse("schools:roster_preview", args=[school.pk, stored.pk]))

    assert len(stored.errors) == 2
    assert stored.summary["errors"] == 5
    assert "and 3 more not shown" in page.content.decode()


def test_a_large_file_is_checked_and_applied_by_background_tasks(
    school_admin_client, school, settings, django_capture_on_commit_callbacks, eager_tasks
):
    settings.ROSTER_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(school_admin_client, school)
    assert len(callbacks) == 1
    stored = RosterImport.objects.get()
    assert stored.status == RosterImport.Status.CHECKED
    assert stored.summary["pupils_create"] == 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        school_admin_client.post(reverse("schools:roster_apply", args=[school.pk, stored.pk]))
    # The apply task, then (from inside it) the statistics refresh for what it wrote.
    assert [getattr(c, "__name__", "task") for c in callbacks] == [
        "task",
        "planner_statistics_refresh",
    ]

    stored.refresh_from_db()
    assert response.status_code == 302
    assert stored.status == RosterImport.Status.APPLIED
    assert Pupil.objects.filter(school=school).count() == 3
    assert Guardianship.objects.filter(pupil__school=school, confirmed_at=None).count() == 2


def test_a_large_file_shows_progress_until_the_task_has_run(
    school_admin_client, school, settings, django_capture_on_commit_callbacks, eager_tasks
):
    settings.ROSTER_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(school_admin_client, school)
    stored = RosterImport.objects.get()
    preview_url = reverse("schools:roster_preview", args=[school.pk, stored.pk])
    status_url = reverse("schools:roster_status", args=[school.pk, stored.pk])

    waiting = school_admin_client.get(preview_url).content.decode()
    status = school_admin_client.get(status_url).json()

    assert '<progress id="roster-progress" max="4" value="0">' in waiting
    assert 'data-roster-status-url="' + status_url + '"' in waiting
    assert "js/roster_progress.js" in waiting
    assert f'href="{preview_url}">refresh</a>' in waiting
    assert status == {"status": "checking", "done": False, "processed": 0, "total": 4}

    callbacks[0]()

    assert school_admin_client.get(status_url).json() == {
        "status": "checked",
        "done": True,
        "processed": 4,
        "total": 4,
    }
    assert "Apply this import" in school_admin_client.get(preview_url).content.decode()


def test_a_failing_import_is_marked_failed_logged_and_writes_nothing(
    school_admin_client,
    school,
    settings,
    monkeypatch,
    caplog,
    django_capture_on_commit_callbacks,
    eager_tasks,
):
    settings.ROSTER_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        upload(school_admin_client, school)
    stored = RosterImport.objects.get()
    original_bulk_create = Guardianship.objects.bulk_create

    def fail_after_pupils(*args, **kwargs):
        assert Pupil.objects.filter(school=school).exists()  # pupils were written first
        raise RuntimeError("connection lost")

    monkeypatch.setattr(Guardianship.objects, "bulk_create", fail_after_pupils)

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        school_admin_client.post(reverse("schools:roster_apply", args=[school.pk, stored.pk]))
    response = school_admin_client.get(
        reverse("schools:roster_preview", args=[school.pk, stored.pk])
    )

    monkeypatch.setattr(Guardianship.objects, "bulk_create", original_bulk_create)
    stored.refresh_from_db()
    assert stored.status == RosterImport.Status.FAILED
    assert "nothing was changed" in stored.file_error
    assert bytes(stored.content) == b""
    assert "The import failed" in response.content.decode()
    assert "connection lost" not in response.content.decode()
    assert any("Applying roster import" in record.message for record in caplog.records)
    assert not Pupil.objects.exists()
    assert not User.objects.filter(email="pat@example.org").exists()


def test_a_small_file_failing_in_the_request_is_marked_failed_too(
    school_admin_client, school, monkeypatch
):
    upload(school_admin_client, school)
    stored = RosterImport.objects.get()

    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(Pupil.objects, "bulk_update", fail)
    monkeypatch.setattr(Guardianship.objects, "bulk_create", fail)

    response = school_admin_client.post(
        reverse("schools:roster_apply", args=[school.pk, stored.pk]), follow=True
    )

    stored.refresh_from_db()
    assert response.status_code == 200
    assert stored.status == RosterImport.Status.FAILED
    assert not Pupil.objects.exists()


def test_an_unexpected_error_while_checking_marks_the_import_failed(
    school_admin_client, school, monkeypatch, caplog
):
    def fail(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(roster_services, "roster_check", fail)

    with caplog.at_level(logging.ERROR):
        response = upload(school_admin_client, school)

    stored = RosterImport.objects.get()
    page = school_admin_client.get(response.url).content.decode()
    assert stored.status == RosterImport.Status.FAILED
    assert bytes(stored.content) == b""
    assert "The import failed" in page
    assert "boom" not in page
    assert any("Checking roster import" in record.message for record in caplog.records)


def test_stored_imports_are_deleted_after_the_keeping_period(school_admin_client, school, settings):
    upload(school_admin_client, school)
    upload(school_admin_client, school)
    old, recent = RosterImport.objects.order_by("pk")
    RosterImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - settings.ROSTER_IMPORT_KEEP - timedelta(minutes=1)
    )

    roster_services.roster_imports_purge()

    assert list(RosterImport.objects.values_list("pk", flat=True)) == [recent.pk]
