"""Nothing a family shared is deleted in one click: removing one's own feedback and
rejecting (so deleting) a family's photo each go through a page that says what
will happen, and works without JavaScript."""

import pytest
from django.urls import reverse

from learning.models import Feedback
from learning.services import completion_record, feedback_moderate, feedback_save
from tests.factories import UserFactory
from tests.learning.space_world import family_world, page_html, prepared_photo, stored_files

pytestmark = pytest.mark.django_db


def _assignment_url(family):
    return reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])


def _remove_url(family, activity):
    return reverse(
        "learning:child_activity_feedback_remove",
        args=[family.pupil.pk, family.assignment.pk, activity.pk],
    )


def _shared_photo(family, **fields):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    fields = {"rating": 4, "comment": "We found a beetle", **fields}
    return feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, photo=prepared_photo(), **fields
    )


# --- Removing one's own feedback ----------------------------------------------------------


def test_the_assignment_page_links_to_a_confirmation_instead_of_removing_at_once(client, family):
    _shared_photo(family)
    client.force_login(family.parent)

    html = page_html(client.get(_assignment_url(family)), "Remove my feedback")

    remove_url = _remove_url(family, family.activities[0])
    assert f'href="{remove_url}"' in html
    assert f'action="{remove_url}"' not in html


def test_the_confirmation_says_what_is_deleted_and_deletes_nothing(client, family, private_folder):
    feedback = _shared_photo(family)
    client.force_login(family.parent)

    html = page_html(
        client.get(_remove_url(family, family.activities[0])),
        "Remove your feedback on “Bug hunt 1”?",
        "your rating (4 out of 5)",
        "your comment",
        "your photo: it cannot be brought back",
        "stays marked as done",
        "Keep it",
    )

    assert 'class="button-danger"' in html
    feedback.refresh_from_db()
    assert feedback.removed_at is None
    assert len(stored_files(private_folder)) == 1


def test_confirming_removes_the_feedback_and_its_photo(
    client, family, private_folder, django_capture_on_commit_callbacks
):
    _shared_photo(family)
    client.force_login(family.parent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_remove_url(family, family.activities[0]), follow=True)

    page_html(response, "Your feedback on “Bug hunt 1” is removed.")
    assert Feedback.objects.get().removed_at is not None
    assert stored_files(private_folder) == []


def test_another_parent_cannot_open_the_confirmation(client, family):
    _shared_photo(family)
    client.force_login(family.other_parent)

    assert client.get(_remove_url(family, family.activities[0])).status_code == 404


# --- Rejecting a family's feedback ------------------------------------------------------


def _reject_url(feedback, next_url=""):
    url = reverse("learning:feedback_reject", args=[feedback.pk])
    return f"{url}?next={next_url}" if next_url else url


def test_the_staff_pages_link_to_the_rejection_confirmation(staff_client):
    family = family_world(moderate=True)
    waiting = _shared_photo(family)
    client = staff_client(family.teacher)

    moderation = page_html(client.get(reverse("learning:feedback_moderation")))
    assert '<input type="hidden" name="decision" value="reject">' not in moderation
    assert reverse("learning:feedback_reject", args=[waiting.pk]) in moderation

    feedback_moderate(feedback=waiting, decision="approve", actor=family.teacher)
    feedback_url = reverse("learning:assignment_feedback", args=[family.assignment.pk])
    shared = page_html(client.get(feedback_url))
    assert '<input type="hidden" name="decision" value="reject">' not in shared
    assert reverse("learning:feedback_reject", args=[waiting.pk]) in shared


def test_the_rejection_confirmation_says_the_photo_is_deleted_for_good_and_changes_nothing(
    staff_client, private_folder
):
    family = family_world(moderate=True)
    feedback = _shared_photo(family)
    moderation_url = reverse("learning:feedback_moderation")

    html = page_html(
        staff_client(family.teacher).get(_reject_url(feedback, moderation_url)),
        "Reject this feedback from Amara's family?",
        "the photo is deleted for good",
        "staff no longer see the comment",
        "their rating still counts",
        "Reject and delete the photo",
        "Keep it",
    )

    assert f'action="{reverse("learning:feedback_moderate", args=[feedback.pk])}"' in html
    assert '<input type="hidden" name="decision" value="reject">' in html
    assert f'name="next" value="{moderation_url}"' in html
    assert 'class="button-danger"' in html
    feedback.refresh_from_db()
    assert feedback.moderation_status == Feedback.Moderation.PENDING
    assert len(stored_files(private_folder)) == 1


def test_confirming_the_rejection_deletes_the_photo_and_goes_back(
    staff_client, private_folder, django_capture_on_commit_callbacks
):
    family = family_world(moderate=True)
    feedback = _shared_photo(family)
    client = staff_client(family.teacher)
    moderation_url = reverse("learning:feedback_moderation")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("learning:feedback_moderate", args=[feedback.pk]),
            {"decision": "reject", "next": moderation_url},
        )

    assert response["Location"] == moderation_url
    feedback.refresh_from_db()
    assert feedback.moderation_status == Feedback.Moderation.REJECTED
    assert stored_files(private_folder) == []


def test_an_outside_next_address_is_not_followed_from_the_confirmation(staff_client):
    family = family_world(moderate=True)
    feedback = _shared_photo(family)

    html = page_html(
        staff_client(family.teacher).get(_reject_url(feedback, "https://evil.example/"))
    )

    main = html[html.index("<main") :]
    assert "evil.example" not in main


def test_feedback_already_rejected_or_removed_is_not_offered_again(staff_client):
    family = family_world(moderate=True)
    feedback = _shared_photo(family)
    feedback_moderate(feedback=feedback, decision="reject", actor=family.teacher)

    response = staff_client(family.teacher).get(_reject_url(feedback), follow=True)

    page_html(response, "is already rejected")


@pytest.mark.parametrize("who", ["parent", "other_school_teacher", "stranger"])
def test_nobody_else_opens_the_rejection_confirmation(client, staff_client, who):
    family = family_world(moderate=True)
    feedback = _shared_photo(family)
    if who == "parent":
        client.force_login(family.parent)
    elif who == "other_school_teacher":
        client = staff_client(family_world().teacher)
    else:
        client.force_login(UserFactory())

    assert client.get(_reject_url(feedback)).status_code == 404
