"""A school class with a topic set for it and a family doing it, for the child's
space, feedback, photo and moderation tests."""

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import User
from learning.models import Activity, Assignment, Topic
from learning.photos import PreparedPhoto, photo_prepare
from schools.models import Pupil, School, SchoolClass
from tests.factories import (
    ActivityFactory,
    AssignmentFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    TopicFactory,
    UserFactory,
    admin_of,
    teacher_of,
)
from tests.schools.test_pages import unlabelled_controls


@dataclass
class Family:
    school: School
    school_class: SchoolClass
    pupil: Pupil
    parent: User
    other_parent: User  # the child's other parent, with an account of their own
    teacher: User
    admin: User
    topic: Topic
    activities: list[Activity]
    assignment: Assignment


def family_world(*, activities: int = 2, moderate: bool = False, **school_fields) -> Family:
    school = SchoolFactory(moderate_feedback=moderate, **school_fields)
    school_class = SchoolClassFactory(school=school, name="Robins")
    pupil = PupilFactory(school=school, school_class=school_class, first_name="Amara")
    parent = UserFactory(first_name="Pat")
    other_parent = UserFactory(first_name="Sam")
    GuardianshipFactory(parent=parent, pupil=pupil)
    GuardianshipFactory(parent=other_parent, pupil=pupil)
    topic = TopicFactory(title="Minibeasts")
    made = [ActivityFactory(topic=topic, title=f"Bug hunt {n + 1}") for n in range(activities)]
    today = timezone.localdate()
    assignment = AssignmentFactory(
        topic=topic,
        school_class=school_class,
        starts_on=today - timedelta(days=1),
        due_on=today + timedelta(days=6),
    )
    return Family(
        school=school,
        school_class=school_class,
        pupil=pupil,
        parent=parent,
        other_parent=other_parent,
        teacher=teacher_of(school_class, first_name="Tessa"),
        admin=admin_of(school, first_name="Ada"),
        topic=topic,
        activities=made,
        assignment=assignment,
    )


def long_topic_world(*, activities: int = 4) -> Family:
    """``family_world`` whose activities have long instructions: on a phone the last
    activity's buttons sit far down the page, out of sight of the top."""
    family = family_world(activities=activities)
    for activity in family.activities:
        activity.instructions = "Lift a log gently and count what you find.\n\n" * 6
        activity.save()
    return family


def jpeg_bytes(size=(40, 30), colour=(30, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def photo_upload(content: bytes | None = None, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def prepared_photo() -> PreparedPhoto:
    return photo_prepare(photo_upload())


def stored_files(folder) -> list:
    """Every file under the private storage folder (tests point it at a temporary one)."""
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def page_html(response, *texts) -> str:
    """The page's HTML, after checking it rendered, shows each text, has one heading
    at the top level and labels every control."""
    assert response.status_code == 200
    html = response.content.decode()
    for text in texts:
        assert text in html, text
    assert html.count("<h1") == 1
    assert unlabelled_controls(html) == []
    return html
