"""Each page renders for its role, shows the right names and labels every input."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    teacher_of,
)

pytestmark = pytest.mark.django_db

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class _FormControls(HTMLParser):
    """Collects form controls and what labels them."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()
        self._open_labels = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "label":
            self._open_labels += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        elif tag in {"input", "select", "textarea"}:
            if tag == "input" and attributes.get("type", "text") in UNLABELLED_TYPES:
                return
            self.controls.append({**attributes, "_tag": tag, "_wrapped": self._open_labels > 0})

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "label" and self._open_labels:
            self._open_labels -= 1


def unlabelled_controls(html: str) -> list[dict]:
    parser = _FormControls()
    parser.feed(html)
    return [
        control
        for control in parser.controls
        if not (
            control.get("aria-label", "").strip()
            or control.get("aria-labelledby")
            or control.get("id") in parser.label_targets
        )
    ]


def controls_in(html: str) -> list[dict]:
    parser = _FormControls()
    parser.feed(html)
    return parser.controls


def test_the_label_checker_catches_an_unlabelled_input():
    html = (
        '<label for="a">A</label><input id="a" name="a">'
        '<input id="b" name="b"><input type="hidden" name="c">'
        '<input name="d" aria-label="D"><select id="e"></select>'
    )

    assert [control.get("name", control.get("id")) for control in unlabelled_controls(html)] == [
        "b",
        "e",
    ]


@pytest.fixture
def oak(school):
    return SchoolClassFactory(school=school, name="Oak", year_group=3)


@pytest.fixture
def pupils(oak):
    return [
        PupilFactory(school=oak.school, school_class=oak, first_name="Amara", last_name="Okafor"),
        PupilFactory(
            school=oak.school,
            school_class=oak,
            first_name="Ben",
            last_name="Hughes",
            pupil_premium=True,
        ),
    ]


@pytest.fixture
def teacher(oak):
    return teacher_of(oak, first_name="Tessa", last_name="Morgan")


def _assert_page(response, *names):
    assert response.status_code == 200
    html = response.content.decode()
    for name in names:
        assert name in html, name
    assert html.count("<h1") == 1
    assert unlabelled_controls(html) == []
    return html


def test_parent_home_lists_each_child_with_school_and_class(client, oak, pupils):
    parent = UserFactory(first_name="Pat")
    GuardianshipFactory(parent=parent, pupil=pupils[0])
    elsewhere = PupilFactory(school=SchoolFactory(name="Birch Academy"), first_name="Cara")
    GuardianshipFactory(parent=parent, pupil=elsewhere)
    client.force_login(parent)

    html = _assert_page(
        client.get(reverse("schools:parent_home")),
        "My children",
        "Amara Okafor",
        "Oakfield Primary",
        "Oak",
        "Year 3",
        elsewhere.full_name,
        "Birch Academy",
    )
    assert "Ben Hughes" not in html


def test_parent_home_without_children_explains_what_happens_next(client):
    client.force_login(UserFactory())

    _assert_page(client.get(reverse("schools:parent_home")), "No children are linked")


def test_parent_home_tells_the_parent_a_child_was_removed_by_the_school(client, pupils):
    parent = UserFactory()
    GuardianshipFactory(parent=parent, pupil=pupils[0])
    pupils[0].removed_by_school_at = timezone.now()
    pupils[0].save()
    client.force_login(parent)

    _assert_page(
        client.get(reverse("schools:parent_home")), "Oakfield Primary no longer lists Amara"
    )


def test_teacher_classes_lists_classes_and_pupils(staff_client, teacher, pupils):
    _assert_page(
        staff_client(teacher).get(reverse("schools:teacher_classes")),
        "My classes",
        "Oak",
        "Oakfield Primary",
        "2 pupils",
        "Amara Okafor",
        "Ben Hughes",
    )


def test_teacher_without_classes_is_told_so(staff_client, school):
    teacher = UserFactory()
    teacher.memberships.create(school=school, role="teacher")

    _assert_page(staff_client(teacher).get(reverse("schools:teacher_classes")), "not teaching any")


def test_class_detail_for_a_teacher(staff_client, teacher, oak, pupils):
    _assert_page(
        staff_client(teacher).get(reverse("schools:class_detail", args=[oak.pk])),
        "Oak",
        "Amara Okafor",
        "Ben Hughes",
    )


def test_class_detail_for_an_admin(staff_client, admin, oak, pupils):
    _assert_page(
        staff_client(admin).get(reverse("schools:class_detail", args=[oak.pk])),
        "Oak",
        "Amara Okafor",
        "Pupil Premium",
    )


def test_school_overview_shows_totals_classes_and_staff(staff_client, admin, teacher, pupils):
    html = _assert_page(
        staff_client(admin).get(
            reverse("schools:school_overview", args=[admin.memberships.get().school_id])
        ),
        "Oakfield Primary",
        "Oak",
        "Tessa Morgan",
        "Ada Head",
        "School admin",
        "Teacher",
    )
    assert "<strong>2</strong> pupils on roll" in html
    assert "<strong>1</strong> Pupil Premium" in html
    assert reverse("accounts:staff_add", args=[admin.memberships.get().school_id]) in html


def test_school_pupils_lists_pupils_with_upn_class_and_pupil_premium(
    staff_client, admin, school, pupils
):
    html = _assert_page(
        staff_client(admin).get(reverse("schools:school_pupils", args=[school.pk])),
        "Pupils at Oakfield Primary",
        "2 pupils",
        "Amara Okafor",
        "Ben Hughes",
        pupils[0].upn,
    )
    assert "<td>Yes</td>" in html


def test_school_pupils_search_finds_by_name(staff_client, admin, school, pupils):
    response = staff_client(admin).get(
        reverse("schools:school_pupils", args=[school.pk]), {"q": "okaf"}
    )

    html = _assert_page(response, "Amara Okafor", "1 pupil matching")
    assert "Ben Hughes" not in html


def test_school_pupils_no_longer_shows_a_pupil_the_school_removed(
    staff_client, admin, school, pupils
):
    pupils[1].removed_by_school_at = timezone.now()
    pupils[1].save()
    client = staff_client(admin)

    html = _assert_page(
        client.get(reverse("schools:school_pupils", args=[school.pk])), pupils[0].last_name
    )
    assert pupils[1].last_name not in html
    assert "no longer shown to staff" in html
    page = client.get(reverse("schools:pupil_detail", args=[school.pk, pupils[1].pk]))
    assert page.status_code == 404


@pytest.mark.parametrize(
    "query",
    [{"page": "abc"}, {"page": "-1"}, {"page": "99999"}, {"q": "x" * 500}, {"q": "\x00"}],
)
def test_school_pupils_survives_odd_queries(staff_client, admin, school, pupils, query):
    response = staff_client(admin).get(reverse("schools:school_pupils", args=[school.pk]), query)

    assert response.status_code == 200


def test_school_pupils_pages_through_many_pupils(staff_client, admin, oak):
    PupilFactory.create_batch(55, school=oak.school, school_class=oak)
    client = staff_client(admin)

    first = client.get(reverse("schools:school_pupils", args=[oak.school.pk]))
    second = client.get(reverse("schools:school_pupils", args=[oak.school.pk]), {"page": 2})

    assert "Page 1 of 2" in first.content.decode()
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5


def test_staff_add_page_has_a_labelled_form(staff_client, admin, school):
    html = _assert_page(
        staff_client(admin).get(reverse("accounts:staff_add", args=[school.pk])),
        "Add a teacher or admin",
        "Email address",
        "First name",
        "Last name",
        "Role",
    )
    names = {control.get("name") for control in controls_in(html)}
    assert {"email", "first_name", "last_name", "role"} <= names


def test_class_teachers_page_lists_the_schools_teachers_as_labelled_boxes(
    staff_client, admin, school, oak, teacher
):
    html = _assert_page(
        staff_client(admin).get(reverse("schools:class_teachers", args=[school.pk, oak.pk])),
        "Teachers of Oak",
        "Tessa Morgan",
    )
    boxes = [c for c in controls_in(html) if c.get("name") == "teachers"]
    assert len(boxes) == 1
    assert "checked" in boxes[0]


def test_class_teachers_page_without_teachers_points_to_adding_one(
    staff_client, admin, school, oak
):
    _assert_page(
        staff_client(admin).get(reverse("schools:class_teachers", args=[school.pk, oak.pk])),
        "has no teachers yet",
    )


def test_home_lists_every_area_of_a_user_with_several_roles(staff_client, admin, pupils):
    elsewhere = SchoolClassFactory(name="Willow")
    elsewhere.school.memberships.create(user=admin, role="teacher")
    elsewhere.teachers.add(admin)
    GuardianshipFactory(parent=admin, pupil=pupils[0])

    _assert_page(staff_client(admin).get("/"), "My children", "My classes", "Oakfield Primary")


@pytest.mark.parametrize("role", ["parent", "teacher", "admin"])
def test_home_sends_a_single_role_user_to_their_area(
    client, staff_client, role, teacher, admin, school, pupils
):
    landing = {
        "parent": reverse("schools:parent_home"),
        "teacher": reverse("schools:teacher_classes"),
        "admin": reverse("schools:school_overview", args=[school.pk]),
    }[role]
    if role == "parent":
        client.force_login(GuardianshipFactory(pupil=pupils[0]).parent)
        signed_in = client
    else:
        signed_in = staff_client({"teacher": teacher, "admin": admin}[role])

    response = signed_in.get("/")

    assert response.status_code == 302
    assert response["Location"] == landing


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/"]
)
def test_sign_in_pages_label_every_input(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert unlabelled_controls(response.content.decode()) == []


def test_two_factor_pages_label_every_input(client, teacher):
    client.force_login(teacher)

    setup = client.get("/two-factor/setup/")
    assert "Code from your authenticator app" in setup.content.decode()
    assert unlabelled_controls(setup.content.decode()) == []

    TOTPDevice.objects.filter(user=teacher).update(confirmed=True)
    verify = client.get("/two-factor/verify/")
    assert verify.status_code == 200
    assert unlabelled_controls(verify.content.decode()) == []


def test_error_pages_render_without_a_500(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404


def test_a_name_with_an_apostrophe_is_shown_escaped_not_broken(client):
    from tests.factories import GuardianshipFactory

    guardianship = GuardianshipFactory(pupil__first_name="Siobhán", pupil__last_name="O'Connor")
    client.force_login(guardianship.parent)
    body = client.get("/children/").content.decode()
    assert "Siobhán O&#x27;Connor" in body
