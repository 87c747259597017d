"""Staff see what families did and said about a topic set for a class; where the
school moderates, comments and photos reach them only once approved."""

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import Feedback
from learning.services import (
    completion_record,
    feedback_moderate,
    feedback_remove,
    feedback_save,
)
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.learning.space_world import family_world, page_html, prepared_photo, stored_files

pytestmark = pytest.mark.django_db


def _classmate(family, first_name):
    pupil = PupilFactory(
        school=family.school, school_class=family.school_class, first_name=first_name
    )
    parent = UserFactory()
    GuardianshipFactory(parent=parent, pupil=pupil)
    return pupil, parent


def _give(family, pupil, parent, activity, **fields):
    completion_record(pupil=pupil, activity=activity, actor=parent)
    fields.setdefault("rating", None)
    fields.setdefault("comment", "")
    return feedback_save(pupil=pupil, activity=activity, actor=parent, **fields)


def _feedback_url(family):
    return reverse("learning:assignment_feedback", args=[family.assignment.pk])


# --- The staff feedback page -----------------------------------------------------------


def test_a_teacher_sees_completions_ratings_comments_and_photos_of_their_class(staff_client):
    family = family_world()
    first, second = family.activities
    ben, ben_parent = _classmate(family, "Ben")
    _classmate(family, "Cara")  # has done nothing
    _give(family, family.pupil, family.parent, first, rating=5, comment="Loved the woodlice")
    shared = _give(family, ben, ben_parent, first, rating=2, photo=prepared_photo())
    completion_record(pupil=ben, activity=second, actor=ben_parent)

    html = page_html(
        staff_client(family.teacher).get(_feedback_url(family)),
        "Feedback on Minibeasts",
        "3 pupils in the class",
        "2 of 3",
        "3.5 out of 5",
        "average of 2 ratings",
        "1 of 3",
        "Loved the woodlice",
        reverse("learning:feedback_photo", args=[shared.pk]),
        family.pupil.full_name,
        ben.full_name,
    )

    assert "No ratings" in html  # the second activity has none


def test_an_admin_sees_the_feedback_page_of_any_class_of_their_school(staff_client):
    family = family_world()
    _give(family, family.pupil, family.parent, family.activities[0], comment="Hello")

    page_html(staff_client(family.admin).get(_feedback_url(family)), "Hello")


@pytest.mark.parametrize("who", ["teacher_other_class", "admin_other_school", "parent"])
def test_nobody_else_opens_a_classes_feedback_page(client, staff_client, who):
    family = family_world()
    if who == "teacher_other_class":
        response = staff_client(teacher_of(SchoolClassFactory(school=family.school))).get(
            _feedback_url(family)
        )
    elif who == "admin_other_school":
        response = staff_client(admin_of(SchoolFactory())).get(_feedback_url(family))
    else:
        client.force_login(family.parent)
        response = client.get(_feedback_url(family))

    assert response.status_code == 404


def test_with_moderation_staff_see_only_approved_comments_and_photos(staff_client):
    family = family_world(moderate=True)
    ben, ben_parent = _classmate(family, "Ben")
    cara, cara_parent = _classmate(family, "Cara")
    activity = family.activities[0]
    waiting = _give(family, family.pupil, family.parent, activity, rating=4, comment="Waiting one")
    approved = _give(family, ben, ben_parent, activity, comment="Approved one")
    rejected = _give(family, cara, cara_parent, activity, comment="Rejected one")
    feedback_moderate(feedback=approved, decision="approve", actor=family.admin)
    feedback_moderate(feedback=rejected, decision="reject", actor=family.admin)

    html = page_html(
        staff_client(family.teacher).get(_feedback_url(family)),
        "Approved one",
        "1 comment or photo on this topic waits for approval",
        "4.0 out of 5",
    )

    assert "Waiting one" not in html
    assert "Rejected one" not in html
    assert reverse("learning:feedback_moderation") in html
    assert waiting.moderation_status == Feedback.Moderation.PENDING


def test_when_a_school_stops_moderating_what_waited_is_shared(staff_client):
    family = family_world(moderate=True)
    _give(family, family.pupil, family.parent, family.activities[0], comment="Was waiting")
    family.school.moderate_feedback = False
    family.school.save()

    page_html(staff_client(family.teacher).get(_feedback_url(family)), "Was waiting")


def test_removed_feedback_and_pupils_the_school_removed_are_not_shown_to_teachers(staff_client):
    family = family_world()
    ben, ben_parent = _classmate(family, "Ben")
    taken_back = _give(family, family.pupil, family.parent, family.activities[0], comment="Oops")
    feedback_remove(feedback=taken_back, actor=family.parent)
    _give(family, ben, ben_parent, family.activities[0], comment="Ben left us")
    ben.removed_by_school_at = timezone.now()
    ben.save()

    html = page_html(
        staff_client(family.teacher).get(_feedback_url(family)), "1 pupil in the class"
    )

    assert "Oops" not in html
    assert "Ben left us" not in html


def test_a_teacher_rejects_a_shared_photo_from_the_feedback_page(
    staff_client, private_folder, django_capture_on_commit_callbacks
):
    family = family_world()
    shared = _give(
        family, family.pupil, family.parent, family.activities[0], photo=prepared_photo()
    )
    client = staff_client(family.teacher)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:feedback_moderate", args=[shared.pk]),
            {"decision": "reject", "next": _feedback_url(family)},
        )

    assert response.status_code == 302
    assert response["Location"] == _feedback_url(family)
    assert Feedback.objects.get().moderation_status == Feedback.Moderation.REJECTED
    assert stored_files(private_folder) == []
    html = page_html(client.get(_feedback_url(family)))
    assert reverse("learning:feedback_photo", args=[shared.pk]) not in html


# --- The moderation page ----------------------------------------------------------------


def test_the_moderation_page_lists_what_waits_for_the_teachers_classes(staff_client):
    family = family_world(moderate=True)
    _give(family, family.pupil, family.parent, family.activities[0], comment="Please approve me")
    _give(family, family.pupil, family.parent, family.activities[1], rating=3)  # nothing to check
    other_class = family_world(moderate=True)
    _give(
        other_class,
        other_class.pupil,
        other_class.parent,
        other_class.activities[0],
        comment="Not yours",
    )
    unmoderated = family_world()
    _give(
        unmoderated,
        unmoderated.pupil,
        unmoderated.parent,
        unmoderated.activities[0],
        comment="Shared already",
    )

    html = page_html(
        staff_client(family.teacher).get(reverse("learning:feedback_moderation")),
        "Feedback to approve",
        "Please approve me",
        "1 waiting",
        "Approve",
        "Reject",
    )

    assert "Not yours" not in html
    assert "Shared already" not in html


def test_approving_from_the_moderation_page_shares_the_comment(staff_client):
    family = family_world(moderate=True)
    waiting = _give(family, family.pupil, family.parent, family.activities[0], comment="Our bugs")
    client = staff_client(family.teacher)

    response = client.post(
        reverse("learning:feedback_moderate", args=[waiting.pk]),
        {"decision": "approve", "next": reverse("learning:feedback_moderation")},
        follow=True,
    )

    html = page_html(response, "approved", "Nothing waits for approval.")
    assert "Our bugs" not in html
    row = Feedback.objects.get()
    assert (row.moderation_status, row.moderated_by) == (
        Feedback.Moderation.APPROVED,
        family.teacher,
    )
    page_html(client.get(_feedback_url(family)), "Our bugs")


def test_moderating_someone_elses_pupil_is_not_found(staff_client):
    family = family_world(moderate=True)
    waiting = _give(family, family.pupil, family.parent, family.activities[0], comment="Mine")
    outsider = teacher_of(SchoolClassFactory(school=family.school))

    response = staff_client(outsider).post(
        reverse("learning:feedback_moderate", args=[waiting.pk]), {"decision": "approve"}
    )

    assert response.status_code == 404
    assert Feedback.objects.get().moderation_status == Feedback.Moderation.PENDING


def test_an_unknown_decision_or_an_outside_next_address_changes_nothing_unsafe(staff_client):
    family = family_world(moderate=True)
    waiting = _give(family, family.pupil, family.parent, family.activities[0], comment="Mine")
    client = staff_client(family.teacher)
    url = reverse("learning:feedback_moderate", args=[waiting.pk])

    assert client.post(url, {"decision": "delete-everything"}).status_code == 404
    response = client.post(url, {"decision": "approve", "next": "https://evil.example/"})

    assert response["Location"] == reverse("learning:feedback_moderation")


def test_parents_cannot_open_the_moderation_page(client):
    family = family_world(moderate=True)
    client.force_login(family.parent)

    assert client.get(reverse("learning:feedback_moderation")).status_code == 403


def test_staff_of_a_moderating_school_get_a_link_to_feedback_to_approve(staff_client):
    moderated = family_world(moderate=True)
    unmoderated = family_world()

    moderated_html = (
        staff_client(moderated.teacher).get(reverse("learning:topic_list")).content.decode()
    )
    assert f'href="{reverse("learning:feedback_moderation")}"' in moderated_html
    other_html = (
        staff_client(unmoderated.teacher).get(reverse("learning:topic_list")).content.decode()
    )
    assert f'href="{reverse("learning:feedback_moderation")}"' not in other_html
