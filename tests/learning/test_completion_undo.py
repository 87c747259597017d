"""Undoing "We did this": the parent who marked it, on the same local day, while
nobody has given feedback on it. An award it earned is kept, and still announced."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from engagement.models import Event
from learning.models import Award, Completion
from learning.services import (
    CompletionUndoError,
    awards_evaluate,
    completion_record,
    completion_undo,
    feedback_remove,
    feedback_save,
)
from notifications.models import Message
from tests.factories import GuardianshipFactory, PupilFactory, UserFactory
from tests.learning.space_world import page_html

pytestmark = pytest.mark.django_db

RULE = "You can undo it today, until feedback is given. Any award it earned is kept."


def _assignment_url(family):
    return reverse("learning:child_assignment", args=[family.pupil.pk, family.assignment.pk])


def _undo_url(family, activity):
    return reverse(
        "learning:child_activity_undo", args=[family.pupil.pk, family.assignment.pk, activity.pk]
    )


def _marked_yesterday(completion):
    completion.completed_at = timezone.now() - timedelta(days=1)
    completion.save(update_fields=["completed_at"])
    return completion


# --- The service -----------------------------------------------------------------------


def test_the_parent_who_marked_it_undoes_it_the_same_day(family):
    completion = completion_record(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent
    )

    completion_undo(completion=completion, actor=family.parent)

    assert not Completion.objects.exists()
    entry = AuditEntry.objects.get(action="completion.undo")
    assert entry.actor == family.parent
    assert entry.changes == {"pupil": family.pupil.pk, "activity": family.activities[0].pk}


def test_marking_it_done_again_after_an_undo_counts_one_completion_event(family):
    activity = family.activities[0]
    completion_undo(
        completion=completion_record(pupil=family.pupil, activity=activity, actor=family.parent),
        actor=family.parent,
    )

    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)

    assert Completion.objects.count() == 1
    assert Event.objects.filter(kind=Event.Kind.ACTIVITY_COMPLETED).count() == 1


def test_the_next_day_it_can_no_longer_be_undone(family):
    completion = _marked_yesterday(
        completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    )

    with pytest.raises(CompletionUndoError, match="can only be undone on the day it was marked"):
        completion_undo(completion=completion, actor=family.parent)

    assert Completion.objects.count() == 1
    assert not AuditEntry.objects.filter(action="completion.undo").exists()


def test_with_feedback_on_it_the_work_stays_done(family):
    activity = family.activities[0]
    completion = completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    own = feedback_save(
        pupil=family.pupil, activity=activity, actor=family.parent, rating=4, comment=""
    )

    with pytest.raises(CompletionUndoError, match="remove it first"):
        completion_undo(completion=completion, actor=family.parent)
    assert Completion.objects.count() == 1

    feedback_remove(feedback=own, actor=family.parent)
    feedback_save(
        pupil=family.pupil, activity=activity, actor=family.other_parent, rating=2, comment=""
    )
    with pytest.raises(CompletionUndoError, match="so it stays done"):
        completion_undo(completion=completion, actor=family.parent)


def test_an_award_it_earned_is_kept_and_still_announced(family):
    family.parent.mobile = ""
    family.parent.save()
    completion = completion_record(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent
    )
    (award,) = awards_evaluate(pupil=family.pupil)
    announced = Message.objects.filter(reference=f"award:{award.pk}")
    statuses = list(announced.values_list("status", flat=True))
    assert statuses

    completion_undo(completion=completion, actor=family.parent)

    assert list(Award.objects.values_list("kind", flat=True)) == [Award.Kind.FIRST_ACTIVITY]
    assert list(announced.values_list("status", flat=True)) == statuses  # nothing cancelled
    # Doing it again grants nothing twice.
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    assert awards_evaluate(pupil=family.pupil) == []


@pytest.mark.parametrize("who", ["other_parent", "teacher", "stranger"])
def test_nobody_but_the_parent_who_marked_it_may_undo_it(family, who):
    actor = UserFactory() if who == "stranger" else getattr(family, who)
    completion = completion_record(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent
    )

    with pytest.raises(PermissionDenied):
        completion_undo(completion=completion, actor=actor)

    assert Completion.objects.count() == 1


def test_a_child_the_school_removed_keeps_what_was_done(family):
    completion = completion_record(
        pupil=family.pupil, activity=family.activities[0], actor=family.parent
    )
    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    with pytest.raises(PermissionDenied):
        completion_undo(completion=completion, actor=family.parent)


# --- The page --------------------------------------------------------------------------


def test_the_page_offers_undo_with_its_rule_and_undoing_goes_back_to_the_activity(client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    client.force_login(family.parent)

    html = page_html(client.get(_assignment_url(family)), "Undo “We did this”", RULE)
    assert f'action="{_undo_url(family, activity)}"' in html

    response = client.post(_undo_url(family, activity), follow=True)

    # Back at the activity, where its confirmation shows.
    assert response.redirect_chain[0][0] == f"{_assignment_url(family)}#confirmation-{activity.pk}"
    html = page_html(response, "“Bug hunt 1” is no longer marked as done.")
    assert html.count(">We did this<") == 2
    assert not Completion.objects.exists()


def test_the_page_says_to_remove_feedback_before_undoing(client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    feedback_save(pupil=family.pupil, activity=activity, actor=family.parent, rating=4, comment="")
    client.force_login(family.parent)

    html = page_html(
        client.get(_assignment_url(family)),
        "To undo “We did this” today, remove your feedback first.",
    )

    assert _undo_url(family, activity) not in html


def test_the_next_day_the_page_offers_no_undo_and_a_late_post_says_why(client, family):
    activity = family.activities[0]
    _marked_yesterday(completion_record(pupil=family.pupil, activity=activity, actor=family.parent))
    client.force_login(family.parent)

    html = page_html(client.get(_assignment_url(family)), "Done")
    assert "Undo “We did this”" not in html

    response = client.post(_undo_url(family, activity), follow=True)

    page_html(response, "it can only be undone on the day it was marked")
    assert Completion.objects.count() == 1


def test_the_other_parent_sees_it_done_but_cannot_undo_it(client, family):
    activity = family.activities[0]
    completion_record(pupil=family.pupil, activity=activity, actor=family.parent)
    client.force_login(family.other_parent)

    html = page_html(client.get(_assignment_url(family)), "Done")

    assert "Undo “We did this”" not in html
    assert client.post(_undo_url(family, activity)).status_code == 404
    assert Completion.objects.count() == 1


def test_a_parent_of_another_child_gets_a_404(client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    outsider = UserFactory()
    GuardianshipFactory(parent=outsider, pupil=PupilFactory(school=family.school))
    client.force_login(outsider)

    assert client.post(_undo_url(family, family.activities[0])).status_code == 404
    assert Completion.objects.count() == 1


def test_undo_is_a_post_and_needs_the_csrf_token(client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    client.force_login(family.parent)
    assert client.get(_undo_url(family, family.activities[0])).status_code == 405

    client.handler.enforce_csrf_checks = True
    assert client.post(_undo_url(family, family.activities[0])).status_code == 403
    assert Completion.objects.count() == 1


def test_nothing_to_undo_is_not_found(client, family):
    client.force_login(family.parent)

    assert client.post(_undo_url(family, family.activities[0])).status_code == 404
