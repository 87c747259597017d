"""A person's copy of their data: a parent's own (with their children's, as that
parent may see it) and a pupil's for the school. The ZIP holds data.json,
index.html and the photos; one parent's copy never holds another parent's data."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditEntry
from engagement.models import Event
from invitations.models import Invitation
from learning.models import Award, Completion, Feedback
from notifications.models import Message
from privacy.models import PrivacyRequest
from privacy.registry import PARENT_COPIES, PUPIL, SCHOOL_ONLY, categories
from privacy.services import pupil_data_export, user_data_export
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    UserFactory,
    admin_of,
)

pytestmark = pytest.mark.django_db


def unzip(export) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(export.file.read())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def everything(files: dict[str, bytes]) -> str:
    """Every file's name and text in the ZIP, photos' bytes included, as one text."""
    return "\n".join(
        f"{name}\n{content.decode('utf-8', 'replace')}" for name, content in files.items()
    )


def _feedback(parent, pupil, activity, *, comment: str, photo: bytes | None = None) -> Feedback:
    feedback = Feedback(pupil=pupil, activity=activity, parent=parent, rating=4, comment=comment)
    if photo is not None:
        feedback.photo.save("photo.jpg", ContentFile(photo), save=False)
    feedback.save()
    return feedback


def _invite(parent, pupil, *, contact_name: str) -> Invitation:
    invitation = Invitation.objects.create(
        school=pupil.school,
        parent=parent,
        contact_name=contact_name,
        email=parent.email,
        mobile=parent.mobile,
        token_hash=f"hash-{parent.pk}",
        expires_at=timezone.now(),
    )
    invitation.pupils.add(pupil)
    return invitation


@pytest.fixture
def two_parents(private_folder):
    """One child with two parents, each with their own contact details, link,
    invitation, events, feedback (a comment and a photo) and a request; and one
    shared completion and award."""
    pupil = PupilFactory(first_name="Robin", last_name="Child")
    activity = ActivityFactory(title="Spoon counting")
    parents = {}
    for key, mobile in (("ann", "+447700900101"), ("bob", "+447700900202")):
        parent = UserFactory(
            email=f"{key}@example.org",
            first_name=f"{key}first",
            last_name=f"{key}last",
            mobile=mobile,
        )
        GuardianshipFactory(parent=parent, pupil=pupil, relationship=f"{key}-relationship")
        _invite(parent, pupil, contact_name=f"{key}-contact-name")
        Event.objects.create(
            actor=parent, school=pupil.school, pupil=pupil, kind="signed_in", subject=f"{key}:1"
        )
        _feedback(
            parent, pupil, activity, comment=f"{key} comment", photo=f"{key}-photo-bytes".encode()
        )
        PrivacyRequest.objects.create(
            kind="access", requester=parent, subject_pupil=pupil, details=f"{key} asked"
        )
        Message.objects.create(
            recipient=parent,
            to_address=parent.email,
            channel="email",
            template="test",
            body_text=f"Hello {key}",
            idempotency_key=f"test-{key}",
        )
        parents[key] = parent
    Completion.objects.create(pupil=pupil, activity=activity, completed_by=parents["bob"])
    Award.objects.create(pupil=pupil, kind=Award.Kind.choices[0][0])
    return pupil, parents["ann"], parents["bob"]


def _traces(parent) -> list[str]:
    key = parent.first_name.removesuffix("first")
    return [
        parent.email,
        parent.mobile,
        parent.first_name,
        parent.last_name,
        f"{key}-relationship",
        f"{key}-contact-name",
        f"{key} comment",
        f"{key}-photo-bytes",
        f"{key} asked",
        f"{key}:1",
        f"Hello {key}",
    ]


def test_neither_parent_of_one_child_finds_the_others_data_in_their_copy(two_parents):
    _pupil, ann, bob = two_parents
    for me, other in ((ann, bob), (bob, ann)):
        text = everything(unzip(user_data_export(user=me, actor=me)))
        for trace in _traces(me):
            assert trace in text, trace
        for trace in _traces(other):
            assert trace not in text, trace
        # The child's shared record is in both copies.
        assert "Robin" in text and "Spoon counting" in text


def test_a_parents_copy_of_a_child_leaves_out_the_upn_and_pupil_premium(two_parents):
    pupil, ann, _ = two_parents
    data = json.loads(unzip(user_data_export(user=ann, actor=ann))["data.json"])
    [child] = data["children"]
    assert child["pupil"] == pupil.pk and child["name"] == "Robin Child"
    identity = child["data"]["pupil_identity"]
    assert identity["first_name"] == "Robin"
    assert "upn" not in identity and "pupil_premium" not in identity
    assert pupil.upn not in json.dumps(data)
    assert "audit_entries" not in child["data"]


def test_the_zip_holds_data_json_index_html_and_the_parents_own_photos(two_parents):
    _pupil, ann, _ = two_parents
    export = user_data_export(user=ann, actor=ann)
    files = unzip(export)
    photo = Feedback.objects.get(parent=ann).photo.name
    assert set(files) == {"data.json", "index.html", f"photos/{photo}"}
    assert files[f"photos/{photo}"] == b"ann-photo-bytes"
    assert export.filename == f"home-learning-data-{timezone.localdate()}.zip"

    data = json.loads(files["data.json"])
    assert data["export"]["portal"] == "Home Learning Portal"
    assert data["export"]["subject"] == {
        "kind": "account",
        "id": ann.pk,
        "name": "annfirst annlast",
    }
    assert data["export"]["files_missing"] == []
    assert data["data"]["account"]["email"] == "ann@example.org"
    assert {row["comment"] for row in data["data"]["feedback"]} == {"ann comment"}

    page = files["index.html"].decode()
    assert f'href="photos/{photo}"' in page
    assert "<h2>Robin Child (" in page
    assert "<link" not in page and "<script" not in page and "http" not in page.lower()


def test_the_readable_page_escapes_what_families_wrote_and_writes_dates_out(two_parents):
    _pupil, ann, _ = two_parents
    Feedback.objects.filter(parent=ann).update(comment="<script>alert('x')</script>")
    page = unzip(user_data_export(user=ann, actor=ann))["index.html"].decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert timezone.localdate().strftime("%B %Y") in page


def test_a_missing_photo_file_is_noted_not_an_error(two_parents):
    _pupil, ann, _ = two_parents
    feedback = Feedback.objects.get(parent=ann)
    feedback.photo.storage.delete(feedback.photo.name)
    export = user_data_export(user=ann, actor=ann)
    files = unzip(export)
    assert set(files) == {"data.json", "index.html"}
    assert json.loads(files["data.json"])["export"]["files_missing"] == [feedback.photo.name]
    assert "(the file is missing)" in files["index.html"].decode()
    assert export.counts["files_missing"] == 1


def test_a_parents_export_is_audited_with_ids_and_counts_only(two_parents):
    _pupil, ann, _ = two_parents
    user_data_export(user=ann, actor=ann)
    entry = AuditEntry.objects.get(action="privacy.export")
    assert (entry.actor, entry.subject_type, entry.subject_id) == (
        ann,
        "accounts.user",
        str(ann.pk),
    )
    assert entry.changes["user"] == ann.pk
    assert entry.changes["children"] == 1 and entry.changes["files"] == 1
    assert set(entry.changes) == {"user", "rows", "files", "files_missing", "children"}


def test_a_pupils_export_for_the_school_has_every_parents_rows_and_photos(two_parents):
    pupil, ann, bob = two_parents
    admin = admin_of(pupil.school)
    export = pupil_data_export(pupil=pupil, actor=admin)
    files = unzip(export)
    data = json.loads(files["data.json"])
    assert data["export"]["subject"]["kind"] == "pupil"
    assert data["data"]["pupil_identity"]["upn"] == pupil.upn
    assert {row["comment"] for row in data["data"]["feedback"]} == {"ann comment", "bob comment"}
    assert {row["parent"] for row in data["data"]["guardianships"]} == {ann.pk, bob.pk}
    assert len([name for name in files if name.startswith("photos/")]) == 2
    assert "children" not in data
    assert export.filename == f"pupil-{pupil.pk}-data-{timezone.localdate()}.zip"

    entry = AuditEntry.objects.get(action="privacy.export")
    assert (entry.actor, entry.school) == (admin, pupil.school)
    assert (entry.subject_type, entry.subject_id) == ("schools.pupil", str(pupil.pk))
    assert entry.changes["pupil"] == pupil.pk and entry.changes["files"] == 2
    assert "Robin" not in json.dumps(entry.changes)


def test_a_child_whose_link_ended_is_not_in_the_parents_copy(two_parents):
    pupil, ann, _ = two_parents
    ann.guardianships.update(ended_at=timezone.now())
    data = json.loads(unzip(user_data_export(user=ann, actor=ann))["data.json"])
    assert data["children"] == []
    # The ended link itself is the parent's own data.
    assert [row["pupil"] for row in data["data"]["guardianships"]] == [pupil.pk]


def test_every_category_of_pupil_data_decides_what_a_parents_copy_takes():
    """A new category must say whether its pupil rows are every parent's to see."""
    for found in categories():
        if PUPIL in found.subjects:
            assert "parent_copy" in vars(type(found)), f"{found.name} sets no parent_copy"
            assert found.parent_copy in PARENT_COPIES


def test_the_school_only_categories_are_left_out_of_a_parents_copy(two_parents):
    pupil, ann, _ = two_parents
    for found in categories():
        if PUPIL in found.subjects and found.parent_copy == SCHOOL_ONLY:
            assert found.export_for_parent(parent=ann, pupil=pupil) == []
