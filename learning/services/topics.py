"""Every write to topics and activities.

Views check who may do what (``accounts.access``) before calling these.
"""

from __future__ import annotations

from typing import Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.db.models.fields.files import FieldFile

from accounts.models import User
from audit.services import audit_record
from learning.models import Activity, Topic
from schools.models import School


class TopicInUseError(Exception):
    """The topic has been set for a class, so it stays (unpublish it instead)."""


class ActivityInUseError(Exception):
    """Families have done or commented on the activity, so it stays."""


@transaction.atomic
def topic_create(
    *,
    school: School | None,
    actor: User,
    title: str,
    subject: str,
    year_group_min: int,
    year_group_max: int,
    summary: str = "",
    published: bool = False,
) -> Topic:
    """A new topic: a school's own, or (``school=None``) one for the library."""
    topic = Topic(
        school=school,
        created_by=actor,
        title=title,
        summary=summary,
        subject=subject,
        year_group_min=year_group_min,
        year_group_max=year_group_max,
        published=published,
    )
    topic.full_clean()
    topic.save()
    audit_record(actor=actor, action="topic.create", subject=topic)
    return topic


TOPIC_FIELDS = ("title", "summary", "subject", "year_group_min", "year_group_max", "published")


@transaction.atomic
def topic_update(*, topic: Topic, actor: User, **fields) -> Topic:
    unknown = set(fields) - set(TOPIC_FIELDS)
    if unknown:
        raise TypeError(f"Not a topic field: {', '.join(sorted(unknown))}")
    before = {name: getattr(topic, name) for name in fields}
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.full_clean()
    topic.save(update_fields=[*fields, "updated_at"])
    changed = {
        name: [before[name], value] for name, value in fields.items() if before[name] != value
    }
    audit_record(actor=actor, action="topic.update", subject=topic, changes=changed)
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic, actor: User) -> None:
    """Delete a topic never set for a class, with its activities and their files."""
    if topic.assignments.exists():
        raise TopicInUseError("This topic has been set for a class, so it cannot be deleted.")
    files = [activity.video_file for activity in topic.activities.exclude(video_file="")]
    audit_record(actor=actor, action="topic.delete", subject=topic, changes={"title": topic.title})
    try:
        topic.delete()
    except ProtectedError as error:
        raise ActivityInUseError(
            "Families have done activities of this topic, so it cannot be deleted."
        ) from error
    for file in files:
        _delete_file_on_commit(file)


def _lock(topic: Topic) -> None:
    """Serialise changes to one topic's activity order (a row lock on PostgreSQL)."""
    Topic.objects.select_for_update().filter(pk=topic.pk).values_list("pk", flat=True).first()


def _save_content(
    activity: Activity,
    *,
    kind: str,
    title: str,
    instructions: str,
    video_url: str,
    video_file: UploadedFile | FieldFile | None,
    game_url: str,
) -> None:
    """Set the activity's content, check it and save it."""
    activity.kind = kind
    activity.title = title
    activity.instructions = instructions
    activity.video_url = video_url
    activity.game_url = game_url
    if isinstance(video_file, FieldFile):
        # The file the activity already has (a FieldFile of this very field).
        activity.video_file = video_file.name
    else:
        activity.video_file = video_file or ""
    activity.full_clean()
    activity.save()


@transaction.atomic
def activity_create(
    *,
    topic: Topic,
    actor: User,
    kind: str,
    title: str,
    instructions: str = "",
    video_url: str = "",
    video_file: UploadedFile | None = None,
    game_url: str = "",
) -> Activity:
    """Add an activity at the end of the topic."""
    _lock(topic)
    last = topic.activities.aggregate(last=Max("position"))["last"] or 0
    activity = Activity(topic=topic, position=last + 1)
    _save_content(
        activity,
        kind=kind,
        title=title,
        instructions=instructions,
        video_url=video_url,
        video_file=video_file,
        game_url=game_url,
    )
    _activity_audit(activity, action="activity.create", actor=actor)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    actor: User,
    kind: str,
    title: str,
    instructions: str,
    video_url: str,
    video_file: UploadedFile | FieldFile | None,
    game_url: str,
) -> Activity:
    """Change an activity's content. ``video_file`` is a new upload, the activity's
    current file (kept), or None (no file). A file no longer used is deleted once
    the change is committed."""
    previous_file = Activity.objects.get(pk=activity.pk).video_file
    _save_content(
        activity,
        kind=kind,
        title=title,
        instructions=instructions,
        video_url=video_url,
        video_file=video_file,
        game_url=game_url,
    )
    if previous_file and previous_file.name != activity.video_file.name:
        _delete_file_on_commit(previous_file)
    _activity_audit(activity, action="activity.update", actor=actor)
    return activity


@transaction.atomic
def activity_move(*, activity: Activity, direction: Literal["up", "down"], actor: User) -> bool:
    """Swap the activity with its neighbour above or below; False when it is already
    first (or last)."""
    topic = activity.topic
    _lock(topic)
    activity.refresh_from_db(fields=["position"])
    siblings = topic.activities.exclude(pk=activity.pk)
    if direction == "up":
        neighbour = siblings.filter(position__lt=activity.position).order_by("-position").first()
    else:
        neighbour = siblings.filter(position__gt=activity.position).order_by("position").first()
    if neighbour is None:
        return False
    # Positions are unique per topic: park one row on a free position while swapping.
    free = (topic.activities.aggregate(last=Max("position"))["last"] or 0) + 1
    mine, theirs = activity.position, neighbour.position
    Activity.objects.filter(pk=activity.pk).update(position=free)
    Activity.objects.filter(pk=neighbour.pk).update(position=mine)
    Activity.objects.filter(pk=activity.pk).update(position=theirs)
    activity.position = theirs
    _activity_audit(activity, action="activity.move", actor=actor, position=[mine, theirs])
    return True


@transaction.atomic
def activity_delete(*, activity: Activity, actor: User) -> None:
    """Delete an activity no family has done or commented on, and its file."""
    file = activity.video_file
    _activity_audit(activity, action="activity.delete", actor=actor)
    try:
        activity.delete()
    except ProtectedError as error:
        raise ActivityInUseError(
            "Families have done or commented on this activity, so it cannot be deleted."
        ) from error
    if file:
        _delete_file_on_commit(file)


def _activity_audit(activity: Activity, *, action: str, actor: User, **changes) -> None:
    audit_record(
        actor=actor,
        action=action,
        subject=activity,
        school=activity.topic.school,
        changes={"topic": activity.topic_id, "kind": activity.kind, **changes},
    )


def _delete_file_on_commit(file: FieldFile) -> None:
    storage, name = file.storage, file.name
    transaction.on_commit(lambda: storage.delete(name))
