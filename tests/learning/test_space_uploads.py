"""Photos through the parent's feedback form: a clean copy is stored and served only
to those who may see it; a bad file is refused on the form with nothing stored."""

import io
import os

import pytest
from django.urls import reverse
from PIL import Image

from learning import photos
from learning.models import Feedback
from learning.services import completion_record, feedback_moderate, feedback_save
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    sign_in_verified,
    teacher_of,
)
from tests.learning.space_world import family_world, photo_upload, prepared_photo, stored_files
from tests.learning.test_photos import (
    _png_header_only,
    decompression_bomb,
    jpeg_from_a_phone,
    png_from_a_phone,
    webp_from_a_phone,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def parent_client(client, family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    client.force_login(family.parent)
    return client


def _post_photo(client, family, upload, **fields):
    activity = family.activities[0]
    prefix = f"activity-{activity.pk}"
    data = {f"{prefix}-photo": upload, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    url = reverse(
        "learning:child_activity_feedback",
        args=[family.pupil.pk, family.assignment.pk, activity.pk],
    )
    return client.post(url, data)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (jpeg_from_a_phone(), "IMG_0042.jpg"),
        (png_from_a_phone(), "IMG_0042.png"),
        (webp_from_a_phone(), "IMG_0042.webp"),
    ],
    ids=["jpeg", "png", "webp"],
)
def test_an_uploaded_phone_photo_is_stored_clean_upright_and_under_a_server_name(
    parent_client, family, private_folder, content, name
):
    response = _post_photo(parent_client, family, photo_upload(content, name))

    assert response.status_code == 302
    feedback = Feedback.objects.get()
    [stored_path] = stored_files(private_folder)
    assert stored_path.relative_to(private_folder).as_posix() == feedback.photo.name
    assert "IMG_0042" not in feedback.photo.name
    stored = Image.open(stored_path)
    assert stored.format == "JPEG"
    assert stored.size == (60, 120)  # portrait, as the phone was held
    red, green, blue = stored.getpixel((5, 5))[:3]
    assert red > 150 and green < 80 and blue < 80  # the red corner is top-left
    assert len(stored.getexif()) == 0
    assert not {"exif", "comment", "xmp", "icc_profile"} & set(stored.info)
    assert b"Acacia" not in stored_path.read_bytes()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (decompression_bomb(), "bomb.png", photos.TOO_MANY_PIXELS),
        (_png_header_only(30_000, 30_000), "huge.png", photos.TOO_MANY_PIXELS),
        (b"MZ\x90\x00 this is a program, not a photo", "holiday.jpg", photos.NOT_AN_IMAGE),
        (b"\xff\xd8\xff" + b"\0" * (photos.MAX_BYTES + 10), "big.jpg", photos.TOO_BIG),
    ],
    ids=["decompression-bomb", "beyond-pillows-limit", "not-an-image", "over-10-mb"],
)
def test_a_bad_file_is_refused_on_the_form_and_nothing_is_stored(
    parent_client, family, private_folder, content, name, message
):
    response = _post_photo(parent_client, family, photo_upload(content, name), comment="Look")

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'class="errorlist' in html
    assert not Feedback.objects.exists()
    assert stored_files(private_folder) == []


def test_a_refused_photo_keeps_the_earlier_one(parent_client, family, private_folder):
    _post_photo(parent_client, family, photo_upload())
    [before] = stored_files(private_folder)

    response = _post_photo(parent_client, family, photo_upload(b"not a photo", "x.jpg"))

    assert response.status_code == 200
    assert stored_files(private_folder) == [before]
    assert Feedback.objects.get().photo.name == before.relative_to(private_folder).as_posix()


# --- Who sees a photo ---------------------------------------------------------------


@pytest.fixture
def shared_photo(family):
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    return feedback_save(
        pupil=family.pupil,
        activity=family.activities[0],
        actor=family.parent,
        rating=4,
        comment="",
        photo=prepared_photo(),
    )


def _photo_status(client, feedback) -> int:
    response = client.get(reverse("learning:feedback_photo", args=[feedback.pk]))
    if response.status_code == 200:
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"\xff\xd8")
    return response.status_code


def test_the_parent_who_shared_it_sees_the_photo(client, family, shared_photo):
    client.force_login(family.parent)

    assert _photo_status(client, shared_photo) == 200


@pytest.mark.parametrize("who", ["teacher", "admin"])
def test_the_childs_teachers_and_school_admins_see_the_photo(client, family, shared_photo, who):
    sign_in_verified(client, getattr(family, who))

    assert _photo_status(client, shared_photo) == 200


@pytest.mark.parametrize(
    "who",
    ["other_parent", "parent_in_class", "teacher_other_class", "admin_other_school", "stranger"],
)
def test_nobody_else_sees_the_photo_not_even_the_childs_other_parent(
    client, family, shared_photo, who
):
    if who == "other_parent":
        client.force_login(family.other_parent)
    elif who == "parent_in_class":
        classmate_parent = UserFactory()
        GuardianshipFactory(
            parent=classmate_parent,
            pupil=PupilFactory(school=family.school, school_class=family.school_class),
        )
        client.force_login(classmate_parent)
    elif who == "teacher_other_class":
        sign_in_verified(client, teacher_of(SchoolClassFactory(school=family.school)))
    elif who == "admin_other_school":
        sign_in_verified(client, admin_of(SchoolFactory()))
    else:
        client.force_login(UserFactory())

    assert _photo_status(client, shared_photo) == 404


def test_a_visitor_is_asked_to_sign_in_before_any_photo(client, shared_photo):
    response = client.get(reverse("learning:feedback_photo", args=[shared_photo.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_photo_waiting_for_approval_is_seen_by_its_moderators(client):
    family = family_world(moderate=True)
    completion_record(pupil=family.pupil, activity=family.activities[0], actor=family.parent)
    waiting = feedback_save(
        pupil=family.pupil,
        activity=family.activities[0],
        actor=family.parent,
        rating=None,
        comment="",
        photo=prepared_photo(),
    )
    sign_in_verified(client, family.teacher)

    assert waiting.moderation_status == Feedback.Moderation.PENDING
    assert _photo_status(client, waiting) == 200


def test_a_rejected_photo_is_gone_for_everyone(client, family, shared_photo):
    feedback_moderate(feedback=shared_photo, decision="reject", actor=family.teacher)

    client.force_login(family.parent)
    assert _photo_status(client, shared_photo) == 404
    for user in (family.teacher, family.admin):
        sign_in_verified(client, user)
        assert _photo_status(client, shared_photo) == 404


def test_a_teacher_no_longer_sees_the_photo_of_a_pupil_the_school_removed(
    client, family, shared_photo
):
    from django.utils import timezone

    family.pupil.removed_by_school_at = timezone.now()
    family.pupil.save()

    sign_in_verified(client, family.teacher)
    assert _photo_status(client, shared_photo) == 404
    client.force_login(family.parent)
    assert _photo_status(client, shared_photo) == 200


def test_a_photo_larger_than_the_in_memory_upload_limit_is_accepted(
    parent_client, family, private_folder, settings
):
    noise = Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "JPEG", quality=100)
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < len(buffer.getvalue()) < photos.MAX_BYTES

    response = _post_photo(parent_client, family, photo_upload(buffer.getvalue()))

    assert response.status_code == 302
    [stored_path] = stored_files(private_folder)
    assert Image.open(stored_path).size == (1400, 1400)
