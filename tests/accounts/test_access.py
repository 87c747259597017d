"""The access checkpoint: each role sees exactly what the access rules allow, across two schools."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accounts import access
from accounts.models import Membership
from tests.factories import (
    GuardianshipFactory,
    PupilFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
    admin_of,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two schools, each with classes, pupils, a teacher, an admin and parents.

    School A: class Oak (taught by the teacher) and class Elm (not taught by them).
    School B: class Ash. The parent has confirmed children at both schools, plus
    an unconfirmed and an ended guardianship; another parent has a child in Oak.
    """
    now = timezone.now()
    school_a = SchoolFactory(name="Alder Primary")
    school_b = SchoolFactory(name="Birch Primary")
    oak = SchoolClassFactory(school=school_a, name="Oak")
    elm = SchoolClassFactory(school=school_a, name="Elm")
    ash = SchoolClassFactory(school=school_b, name="Ash")

    def pupil(first_name, school_class, **fields):
        return PupilFactory(
            school=school_class.school, school_class=school_class, first_name=first_name, **fields
        )

    pupils = {
        "own_at_a": pupil("OwnAtA", oak, pupil_premium=True),
        "own_at_b": pupil("OwnAtB", ash),
        "own_removed": pupil("OwnRemoved", oak, removed_by_school_at=now),
        "unconfirmed": pupil("Unconfirmed", oak),
        "ended": pupil("Ended", elm),
        "other_parents": pupil("OtherParents", oak),
        "elm_only": pupil("ElmOnly", elm),
        "ash_only": pupil("AshOnly", ash),
    }

    parent = UserFactory(first_name="Pat")
    GuardianshipFactory(parent=parent, pupil=pupils["own_at_a"])
    GuardianshipFactory(parent=parent, pupil=pupils["own_at_b"])
    GuardianshipFactory(parent=parent, pupil=pupils["own_removed"])
    GuardianshipFactory(parent=parent, pupil=pupils["unconfirmed"], confirmed_at=None)
    GuardianshipFactory(parent=parent, pupil=pupils["ended"], ended_at=now)
    other_parent = UserFactory(first_name="Olive")
    GuardianshipFactory(parent=other_parent, pupil=pupils["other_parents"])

    teacher = teacher_of(oak, first_name="Terry")
    # Named as a teacher of a class at school B without being on B's staff.
    ash.teachers.add(teacher)
    admin = admin_of(school_a, first_name="Ada")
    admin_b = admin_of(school_b, first_name="Bea")
    platform_staff = UserFactory(is_staff=True, first_name="Pam")

    return SimpleNamespace(
        school_a=school_a,
        school_b=school_b,
        oak=oak,
        elm=elm,
        ash=ash,
        pupils=pupils,
        users={
            "parent": parent,
            "other_parent": other_parent,
            "teacher": teacher,
            "admin": admin,
            "admin_b": admin_b,
            "platform_staff": platform_staff,
            "anonymous": AnonymousUser(),
        },
    )


ALL_AT_A = {"own_at_a", "own_removed", "unconfirmed", "ended", "other_parents", "elm_only"}

VISIBLE = {
    "parent": {"own_at_a", "own_at_b", "own_removed"},
    "other_parent": {"other_parents"},
    "teacher": {"own_at_a", "unconfirmed", "other_parents"},
    # Not a pupil the school removed: staff stop seeing a leaver.
    "admin": ALL_AT_A - {"own_removed"},
    "admin_b": {"own_at_b", "ash_only"},
    "platform_staff": set(),
    "anonymous": set(),
}


def _keys(world, pupils):
    names = {pupil.pk: key for key, pupil in world.pupils.items()}
    return {names[pupil.pk] for pupil in pupils}


@pytest.mark.parametrize("role", VISIBLE)
def test_pupils_visible_to_each_role(world, role):
    visible = access.pupils_visible_to(world.users[role])

    assert _keys(world, visible) == VISIBLE[role]
    assert visible.count() == len(VISIBLE[role]), "no pupil may appear twice"


@pytest.mark.parametrize("role", VISIBLE)
def test_can_view_pupil_agrees_for_every_pupil(world, role):
    user = world.users[role]

    seen = {key for key, pupil in world.pupils.items() if access.can_view_pupil(user, pupil)}

    assert seen == VISIBLE[role]


@pytest.mark.parametrize("role", VISIBLE)
def test_pupil_or_404_refuses_every_pupil_out_of_sight(world, role):
    user = world.users[role]
    for key, pupil in world.pupils.items():
        if key in VISIBLE[role]:
            assert access.pupil_or_404(user, pupil.pk) == pupil
        else:
            with pytest.raises(Http404):
                access.pupil_or_404(user, pupil.pk)


def test_parent_children_are_confirmed_and_not_ended_only(world):
    children = access.children_of(world.users["parent"])

    assert _keys(world, children) == {"own_at_a", "own_at_b", "own_removed"}


def test_parent_keeps_seeing_a_child_after_the_school_removes_them(world):
    child = world.pupils["own_at_a"]
    child.removed_by_school_at = timezone.now()
    child.save()

    assert access.can_view_pupil(world.users["parent"], child)
    assert not access.can_view_pupil(world.users["teacher"], child)
    assert not access.can_view_pupil(world.users["admin"], child)


def test_parent_sees_a_child_once_the_guardianship_is_confirmed(world):
    guardianship = world.pupils["unconfirmed"].guardianships.get()
    assert not access.can_view_pupil(world.users["parent"], world.pupils["unconfirmed"])

    guardianship.confirmed_at = timezone.now()
    guardianship.save()

    assert access.can_view_pupil(world.users["parent"], world.pupils["unconfirmed"])


def test_only_a_parent_with_an_active_guardianship_counts_as_a_parent(world):
    lonely = UserFactory()
    GuardianshipFactory(parent=lonely, confirmed_at=None)

    assert access.is_parent(world.users["parent"])
    assert not access.is_parent(lonely)
    assert not access.is_parent(world.users["teacher"])


def test_teacher_loses_sight_of_pupils_when_their_membership_goes(world):
    teacher = world.users["teacher"]
    Membership.objects.filter(user=teacher, school=world.school_a).delete()

    assert not access.pupils_visible_to(teacher).exists()
    assert not access.classes_visible_to(teacher).exists()
    assert teacher in world.oak.teachers.all(), "the class link alone grants nothing"


def test_teacher_made_admin_elsewhere_does_not_see_classes_there_as_a_teacher(world):
    teacher = world.users["teacher"]
    Membership.objects.create(user=teacher, school=world.school_b, role=Membership.Role.ADMIN)

    assert set(access.classes_taught_by(teacher)) == {world.oak}
    assert set(access.classes_visible_to(teacher)) == {world.oak, world.ash}


def test_teacher_sees_only_the_classes_they_teach(world):
    teacher = world.users["teacher"]

    assert set(access.classes_taught_by(teacher)) == {world.oak}
    assert set(access.classes_visible_to(teacher)) == {world.oak}


@pytest.mark.parametrize(
    ("role", "classes"),
    [
        ("admin", {"oak", "elm"}),
        ("admin_b", {"ash"}),
        ("teacher", {"oak"}),
        ("parent", set()),
        ("platform_staff", set()),
        ("anonymous", set()),
    ],
)
def test_classes_visible_to_each_role(world, role, classes):
    expected = {getattr(world, name) for name in classes}

    assert set(access.classes_visible_to(world.users[role])) == expected


def test_anonymised_pupil_is_visible_to_no_one(world):
    pupil = world.pupils["own_at_a"]
    pupil.upn = ""
    pupil.anonymised_at = timezone.now()
    pupil.save()

    for user in world.users.values():
        assert not access.can_view_pupil(user, pupil)


def test_inactive_user_sees_nothing(world):
    admin = world.users["admin"]
    admin.is_active = False
    admin.save()

    assert not access.pupils_visible_to(admin).exists()
    assert not access.is_school_admin(admin, world.school_a)


@pytest.mark.parametrize(
    ("role", "school", "allowed"),
    [
        ("admin", "school_a", True),
        ("admin", "school_b", False),
        ("admin_b", "school_a", False),
        ("teacher", "school_a", False),
        ("parent", "school_a", False),
        ("platform_staff", "school_a", False),
        ("anonymous", "school_a", False),
    ],
)
def test_pupil_premium_is_for_that_schools_admins_only(world, role, school, allowed):
    assert access.can_see_pupil_premium(world.users[role], getattr(world, school)) is allowed


def test_staff_list_is_for_that_schools_admins_only(world):
    staff = access.staff_of_school(world.users["admin"], world.school_a)

    assert set(staff) == {world.users["teacher"], world.users["admin"]}
    assert not access.staff_of_school(world.users["admin"], world.school_b).exists()
    assert not access.staff_of_school(world.users["teacher"], world.school_a).exists()


def test_administered_school_or_404_refuses_another_school(world):
    assert access.administered_school_or_404(world.users["admin"], world.school_a.pk)
    with pytest.raises(Http404):
        access.administered_school_or_404(world.users["admin"], world.school_b.pk)
    with pytest.raises(Http404):
        access.administered_school_or_404(world.users["teacher"], world.school_a.pk)


def test_staff_need_a_second_factor_and_parents_do_not(world):
    users = world.users
    assert access.requires_two_factor(users["teacher"])
    assert access.requires_two_factor(users["admin"])
    assert access.requires_two_factor(users["platform_staff"])
    assert not access.requires_two_factor(users["parent"])
    assert not access.requires_two_factor(users["anonymous"])


# Pages: what each role gets over HTTP.


def _sign_in(client, staff_client, user):
    if access.requires_two_factor(user):
        return staff_client(user)
    client.force_login(user)
    return client


def _foreign_urls(world):
    """Every school or class page pointed at school B's objects (or at a mismatch)."""
    a, b, ash, oak = world.school_a.pk, world.school_b.pk, world.ash.pk, world.oak.pk
    return [
        reverse("schools:class_detail", args=[ash]),
        reverse("schools:school_overview", args=[b]),
        reverse("schools:school_pupils", args=[b]),
        reverse("accounts:staff_add", args=[b]),
        reverse("schools:class_teachers", args=[b, ash]),
        reverse("schools:class_teachers", args=[a, ash]),
        reverse("schools:class_teachers", args=[b, oak]),
    ]


@pytest.mark.parametrize("role", ["admin", "teacher", "parent", "platform_staff"])
def test_another_schools_objects_are_404_on_every_page(world, client, staff_client, role):
    signed_in = _sign_in(client, staff_client, world.users[role])

    for url in _foreign_urls(world):
        assert signed_in.get(url).status_code == 404, url
        assert signed_in.post(url, {}).status_code == 404, url


@pytest.mark.parametrize("role", ["teacher", "parent", "platform_staff"])
def test_school_admin_pages_are_404_for_everyone_but_its_admins(world, client, staff_client, role):
    signed_in = _sign_in(client, staff_client, world.users[role])
    a, oak = world.school_a.pk, world.oak.pk

    for url in [
        reverse("schools:school_overview", args=[a]),
        reverse("schools:school_pupils", args=[a]),
        reverse("accounts:staff_add", args=[a]),
        reverse("schools:class_teachers", args=[a, oak]),
    ]:
        assert signed_in.get(url).status_code == 404, url


def test_teacher_gets_404_for_a_class_they_do_not_teach(world, staff_client):
    client = staff_client(world.users["teacher"])

    assert client.get(reverse("schools:class_detail", args=[world.elm.pk])).status_code == 404
    assert client.get(reverse("schools:class_detail", args=[world.oak.pk])).status_code == 200


def test_missing_ids_are_404_not_500(world, staff_client):
    client = staff_client(world.users["admin"])

    assert client.get(reverse("schools:class_detail", args=[999999])).status_code == 404
    assert client.get(reverse("schools:school_overview", args=[999999])).status_code == 404
    assert client.get("/schools/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    "url_name",
    [
        "schools:parent_home",
        "schools:teacher_classes",
        "schools:school_overview",
        "schools:class_detail",
    ],
)
def test_anonymous_visitor_is_sent_to_sign_in(world, client, url_name):
    args = {"schools:school_overview": [world.school_a.pk], "schools:class_detail": [world.oak.pk]}
    response = client.get(reverse(url_name, args=args.get(url_name, [])))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_teacher_class_page_shows_no_pupil_premium(world, staff_client):
    client = staff_client(world.users["teacher"])

    response = client.get(reverse("schools:class_detail", args=[world.oak.pk]))

    html = response.content.decode()
    assert world.pupils["own_at_a"].full_name in html
    assert "Pupil Premium" not in html
    assert ">Yes<" not in html
    assert response.context["show_pupil_premium"] is False


def test_admin_class_page_shows_pupil_premium(world, staff_client):
    client = staff_client(world.users["admin"])

    response = client.get(reverse("schools:class_detail", args=[world.oak.pk]))

    html = response.content.decode()
    assert '<th scope="col">Pupil Premium</th>' in html
    assert "<td>Yes</td>" in html
    assert "<td>No</td>" in html


def test_teacher_class_page_lists_only_on_roll_pupils(world, staff_client):
    client = staff_client(world.users["teacher"])

    html = client.get(reverse("schools:class_detail", args=[world.oak.pk])).content.decode()

    assert "OwnAtA" in html
    assert "OtherParents" in html
    assert "OwnRemoved" not in html
    assert "ElmOnly" not in html


def test_teacher_classes_page_lists_only_their_classes_and_on_roll_pupils(world, staff_client):
    client = staff_client(world.users["teacher"])

    html = client.get(reverse("schools:teacher_classes")).content.decode()

    assert "Oak" in html
    assert "Elm" not in html
    assert "Ash" not in html
    assert "OwnRemoved" not in html
    assert "AshOnly" not in html
    assert "Pupil Premium" not in html


def test_parent_home_lists_only_their_children(world, client):
    client.force_login(world.users["parent"])

    html = client.get(reverse("schools:parent_home")).content.decode()

    for key in ("own_at_a", "own_at_b", "own_removed"):
        assert world.pupils[key].full_name in html
    for key in ("unconfirmed", "ended", "other_parents", "elm_only", "ash_only"):
        assert world.pupils[key].first_name not in html
    assert "Pupil Premium" not in html
    assert "no longer lists OwnRemoved" in html


def test_platform_staff_see_no_pupils_on_any_page(world, staff_client):
    client = staff_client(world.users["platform_staff"])

    for url in [reverse("schools:parent_home"), reverse("schools:teacher_classes")]:
        html = client.get(url).content.decode()
        for pupil in world.pupils.values():
            assert pupil.first_name not in html
