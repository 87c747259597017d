"""seed_demo and demo_logins: realistic, repeatable demo data and the demo sign-ins."""

from collections import defaultdict

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp import match_token
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin_site import PLATFORM_STAFF_GROUP
from accounts.lookup import normalise_upn, upn_lookup_hash
from accounts.models import Membership, User
from demo.accounts import (
    DEMO_ADMIN,
    DEMO_CHILDREN,
    DEMO_EMAILS,
    DEMO_PARENT,
    DEMO_PASSWORD,
    DEMO_STAFF,
    DEMO_TEACHER,
    demo_backup_codes,
)
from demo.learning import DEMO_ASSIGNMENT_TOPIC, DEMO_TOPICS
from demo.planning import demo_urn
from demo.seeding import DEMO_URN_REGEX
from learning.models import Activity, Assignment, Award, Completion, Feedback, Topic
from learning.selectors import assignments_for_child
from learning.services import (
    assignments_notify_started,
    completion_record,
    feedback_save,
    school_today,
)
from learning.services.awards import awards_evaluate
from notifications.models import Message
from schools.models import Guardianship, Pupil, RosterImport, School, SchoolClass
from tests.admin.platform_staff import PLATFORM_STAFF_PERMISSIONS
from tests.factories import (
    ActivityFactory,
    GuardianshipFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_schools():
    return School.objects.filter(urn__regex=DEMO_URN_REGEX).order_by("urn")


def generated_parents():
    return User.objects.filter(guardianships__isnull=False).exclude(email__in=DEMO_EMAILS)


def snapshot() -> dict:
    """Everything a run produces that must be the same for the same seed."""
    return {
        "schools": sorted(demo_schools().values_list("urn", "name")),
        "classes": sorted(SchoolClass.objects.values_list("school__urn", "name", "year_group")),
        "pupils": sorted(
            Pupil.objects.values_list(
                "school__urn", "first_name", "last_name", "upn", "year_group", "pupil_premium"
            )
        ),
        "parents": sorted(
            (u.first_name, u.last_name, u.email or "", u.mobile)
            for u in generated_parents().distinct()
        ),
        "links": Guardianship.objects.count(),
        "users": User.objects.count(),
        "topics": sorted(
            Topic.objects.values_list(
                "pk", "title", "school", "published", "summary", "subject", "created_by__email"
            )
        ),
        "activities": sorted(
            Activity.objects.values_list(
                "pk",
                "topic__title",
                "position",
                "kind",
                "title",
                "instructions",
                "video_url",
                "game_url",
            )
        ),
        "assignments": sorted(
            Assignment.objects.values_list(
                "topic__title",
                "school_class__school__urn",
                "school_class__name",
                "set_by__email",
                "starts_on",
                "due_on",
                "message",
                "start_notified_at",
            )
        ),
    }


def test_each_school_gets_the_requested_pupils_in_classes_for_every_primary_year():
    seed("--schools", "3", "--pupils-per-school", "70", "--seed", "5")

    schools = list(demo_schools())
    assert len(schools) == 3
    assert len({school.name for school in schools}) == 3
    for school in schools:
        assert school.name.endswith(("School", "Academy"))
        assert len(school.urn) == 6
        assert Pupil.objects.filter(school=school).count() == 70
        years = set(SchoolClass.objects.filter(school=school).values_list("year_group", flat=True))
        assert years == {0, 1, 2, 3, 4, 5, 6}
        for pupil in Pupil.objects.filter(school=school).select_related("school_class"):
            assert pupil.school_class.school_id == school.pk
            assert pupil.school_class.year_group == pupil.year_group


def test_large_year_groups_are_split_into_classes_of_at_most_thirty():
    seed("--schools", "1", "--pupils-per-school", "700")

    for school_class in SchoolClass.objects.all():
        assert 1 <= school_class.pupils.count() <= 30
    year_three = SchoolClass.objects.filter(year_group=3)
    assert year_three.count() >= 2


def test_about_a_quarter_of_pupils_are_pupil_premium():
    seed("--schools", "1", "--pupils-per-school", "200", "--seed", "3")

    pupils = Pupil.objects.all()
    share = pupils.filter(pupil_premium=True).count() / pupils.count()
    assert 0.15 <= share <= 0.35


def test_every_upn_passes_its_check_letter_and_is_unique_per_school():
    seed("--schools", "2", "--pupils-per-school", "300", "--seed", "4")

    for school in demo_schools():
        upns = list(Pupil.objects.filter(school=school).values_list("upn", "upn_hash"))
        assert len(upns) == 300
        assert len({upn for upn, _ in upns}) == 300
        for upn, upn_hash in upns:
            assert normalise_upn(upn) == upn
            assert upn_hash == upn_lookup_hash(upn)


def test_every_pupil_has_one_or_two_contacts_and_siblings_share_them():
    seed("--schools", "1", "--pupils-per-school", "200", "--seed", "6")

    contacts_of = defaultdict(set)
    for pupil_id, parent_id in Guardianship.objects.values_list("pupil_id", "parent_id"):
        contacts_of[pupil_id].add(parent_id)
    assert set(contacts_of) == set(Pupil.objects.values_list("pk", flat=True))
    assert all(1 <= len(parents) <= 2 for parents in contacts_of.values())

    children_of = defaultdict(set)
    for pupil_id, parents in contacts_of.items():
        for parent_id in parents:
            children_of[parent_id].add(pupil_id)
    families = {frozenset(children) for children in children_of.values() if len(children) > 1}
    assert len(families) >= 5
    for children in families:
        # Brothers and sisters have exactly the same contacts.
        assert len({frozenset(contacts_of[child]) for child in children}) == 1


def test_imported_parents_are_unregistered_with_reserved_contact_details():
    seed("--schools", "2", "--pupils-per-school", "100")

    parents = list(generated_parents().distinct())
    assert parents
    mobiles = [parent.mobile for parent in parents if parent.mobile]
    assert len(mobiles) == len(set(mobiles))
    assert any(parent.email is None for parent in parents)  # known by mobile alone
    for parent in parents:
        assert not parent.is_active
        assert not is_password_usable(parent.password)
        assert parent.email or parent.mobile
        if parent.email:
            assert parent.email.rsplit("@", 1)[1] in {"example.com", "example.org", "example.net"}
        if parent.mobile:
            assert "+447700900000" <= parent.mobile <= "+447700900999"
            assert parent.mobile_hash
    unconfirmed = Guardianship.objects.exclude(parent__email=DEMO_PARENT.email)
    assert not unconfirmed.filter(confirmed_at__isnull=False).exists()


def test_beyond_a_thousand_contacts_parents_have_email_only():
    seed("--schools", "1", "--pupils-per-school", "1000")

    parents = generated_parents().distinct()
    assert parents.count() > 1000
    assert parents.exclude(mobile="").count() <= 1000
    assert not parents.filter(email__isnull=True, mobile="").exists()


def test_running_twice_with_the_same_seed_gives_the_same_data_without_duplicates():
    seed("--schools", "2", "--pupils-per-school", "50", "--seed", "7")
    first = snapshot()

    seed("--schools", "2", "--pupils-per-school", "50", "--seed", "7")

    assert snapshot() == first
    assert Pupil.objects.count() == 100


def test_a_different_seed_gives_different_data_and_replaces_the_old_demo_schools():
    seed("--schools", "2", "--pupils-per-school", "50", "--seed", "1")
    first = snapshot()

    out = seed("--schools", "2", "--pupils-per-school", "50", "--seed", "2")

    second = snapshot()
    assert second["pupils"] != first["pupils"]
    assert sorted(p[1:3] for p in second["pupils"]) != sorted(p[1:3] for p in first["pupils"])
    assert [urn for urn, _ in second["schools"]] == sorted(
        [demo_urn(seed=2, index=0), demo_urn(seed=2, index=1)]
    )
    assert Pupil.objects.count() == 100
    assert "Removed 2 demo schools" in out


def test_a_rerun_keeps_the_demo_schools_but_nothing_else_added_to_them():
    seed("--schools", "1", "--pupils-per-school", "10")
    school = demo_schools().get()
    newcomer = UserFactory(email="newcomer@example.org")
    Membership.objects.create(user=newcomer, school=school, role=Membership.Role.TEACHER)
    RosterImport.objects.create(school=school, file_name="roster.csv", content=b"UPN\n")
    PupilFactory(school=school, school_class=None)

    seed("--schools", "1", "--pupils-per-school", "10")

    assert demo_schools().get().pk == school.pk
    assert Pupil.objects.filter(school=school).count() == 10
    assert not RosterImport.objects.filter(school=school).exists()
    assert not Membership.objects.filter(user=newcomer).exists()
    assert User.objects.filter(pk=newcomer.pk).exists()


def test_schools_outside_the_demo_range_and_their_families_are_never_touched():
    real_school = SchoolFactory(urn="123456", name="Real Primary School")
    pupil = PupilFactory(school=real_school)
    guardianship = GuardianshipFactory(pupil=pupil, confirmed_at=None)
    seed("--schools", "1", "--pupils-per-school", "20")
    # A demo parent who also has a child at the real school must survive a re-run.
    demo_parent = generated_parents().filter(guardianships__pupil__school__urn__startswith="99")
    shared = demo_parent.first()
    Guardianship.objects.create(parent=shared, pupil=pupil, relationship="Mother")

    seed("--schools", "1", "--pupils-per-school", "20", "--seed", "9")

    assert School.objects.filter(pk=real_school.pk, name="Real Primary School").exists()
    assert Pupil.objects.filter(pk=pupil.pk).exists()
    assert Guardianship.objects.filter(pk=guardianship.pk).exists()
    assert Guardianship.objects.filter(parent=shared, pupil=pupil).exists()
    assert Pupil.objects.filter(school__urn__regex=DEMO_URN_REGEX).count() == 20


def test_demo_accounts_sign_in_with_the_demo_password_in_their_roles(client):
    seed()
    first = School.objects.get(urn=demo_urn(seed=1, index=0))
    second = School.objects.get(urn=demo_urn(seed=1, index=1))

    for email in DEMO_EMAILS:
        assert client.login(email=email, password=DEMO_PASSWORD), email
        client.logout()

    admin = User.objects.get(email=DEMO_ADMIN.email)
    assert list(admin.memberships.values_list("school", "role")) == [
        (first.pk, Membership.Role.ADMIN)
    ]
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    assert list(teacher.memberships.values_list("school", "role")) == [
        (first.pk, Membership.Role.TEACHER)
    ]
    taught = teacher.classes_taught.all()
    assert taught.count() == 2
    assert {c.school_id for c in taught} == {first.pk}

    parent = User.objects.get(email=DEMO_PARENT.email)
    assert parent.is_active and not parent.memberships.exists()
    children = Pupil.objects.filter(
        guardianships__parent=parent, guardianships__confirmed_at__isnull=False
    )
    assert sorted(children.values_list("school", flat=True)) == sorted(
        [first.pk, first.pk, second.pk]
    )
    assert children.values("last_name").distinct().count() == 1
    # The children share their other contact too: they are siblings.
    other_contacts = {
        frozenset(child.guardianships.exclude(parent=parent).values_list("parent", flat=True))
        for child in children
    }
    assert len(other_contacts) == 1

    staff = User.objects.get(email=DEMO_STAFF.email)
    assert staff.is_staff and not staff.is_superuser
    assert not staff.memberships.exists()
    assert list(staff.groups.values_list("name", flat=True)) == [PLATFORM_STAFF_GROUP]
    assert not staff.user_permissions.exists()
    assert staff.get_all_permissions() == PLATFORM_STAFF_PERMISSIONS


def test_the_demo_parent_sees_their_three_children(client):
    seed()
    client.login(email=DEMO_PARENT.email, password=DEMO_PASSWORD)

    response = client.get(reverse("schools:parent_home"))

    assert response.status_code == 200
    for child in Pupil.objects.filter(guardianships__parent__email=DEMO_PARENT.email):
        assert child.first_name in response.content.decode()


def test_the_demo_parents_help_page_gives_each_schools_contact_details(client):
    seed()
    client.login(email=DEMO_PARENT.email, password=DEMO_PASSWORD)

    page = client.get(reverse("schools:help")).content.decode()

    schools = School.objects.filter(pupils__guardianships__parent__email=DEMO_PARENT.email)
    for school in schools.distinct():
        assert school.contact_email.endswith("@demo.example.org")
        assert school.contact_email in page
        assert school.contact_phone.startswith("020 7946 0")
        assert school.contact_phone in page


def test_demo_staff_have_a_confirmed_authenticator_and_backup_codes_that_verify():
    seed()

    for account in (DEMO_ADMIN, DEMO_TEACHER, DEMO_STAFF):
        user = User.objects.get(email=account.email)
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
        assert isinstance(match_token(user, code), TOTPDevice)
        backup = demo_backup_codes(account.email)
        assert len(set(backup)) == 10
        assert isinstance(match_token(user, backup[0]), StaticDevice)
        assert match_token(user, backup[0]) is None  # each backup code works once


def test_the_demo_admin_passes_the_second_factor_with_a_code_and_opens_the_school(client):
    seed()
    school = School.objects.get(urn=demo_urn(seed=1, index=0))
    overview = reverse("schools:school_overview", args=[school.pk])
    client.login(email=DEMO_ADMIN.email, password=DEMO_PASSWORD)

    assert client.get(overview).url.startswith(reverse("accounts:two_factor_verify"))
    device = TOTPDevice.objects.get(user__email=DEMO_ADMIN.email)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    client.post(reverse("accounts:two_factor_verify"), {"token": code})
    response = client.get(overview)

    assert response.status_code == 200
    assert school.name in response.content.decode()


def test_demo_staff_keys_are_the_same_on_every_run():
    seed("--seed", "1")
    keys = dict(TOTPDevice.objects.values_list("user__email", "key"))

    seed("--seed", "2")

    assert dict(TOTPDevice.objects.values_list("user__email", "key")) == keys
    assert TOTPDevice.objects.count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--events-per-pupil", "-1"], "--events-per-pupil"),
        (["--schools", "0"], "--schools"),
        (["--pupils-per-school", "2"], "--pupils-per-school"),
        (["--pupils-per-school", "999999"], "--pupils-per-school"),
    ],
)
def test_out_of_range_sizes_are_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
    assert not demo_schools().exists()


def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        seed()
    assert not User.objects.filter(email__in=DEMO_EMAILS).exists()


def test_demo_logins_prints_the_url_logins_and_second_factor_details(settings):
    from io import StringIO

    seed()
    settings.DEBUG = True
    out = StringIO()

    call_command("demo_logins", stdout=out)

    text = out.getvalue()
    assert "http://127.0.0.1:8000" in text
    assert DEMO_PASSWORD in text
    for email in DEMO_EMAILS:
        assert email in text
    for account in (DEMO_ADMIN, DEMO_TEACHER, DEMO_STAFF):
        device = TOTPDevice.objects.get(user__email=account.email)
        assert device.config_url in text
        for code in demo_backup_codes(account.email):
            assert code in text


def test_demo_logins_refuses_without_debug_unless_forced(settings):
    from io import StringIO

    seed()
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_logins", stdout=StringIO())

    out = StringIO()
    call_command("demo_logins", "--force", stdout=out)
    assert DEMO_ADMIN.email in out.getvalue()


def test_demo_logins_says_to_seed_first_when_there_are_no_demo_accounts(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_logins")


# --- Home learning in the demo ----------------------------------------------------


def demo_topics():
    staff = User.objects.get(email=DEMO_STAFF.email)
    return Topic.objects.filter(school=None, created_by=staff)


def test_the_library_has_published_demo_topics_with_a_video_a_game_and_an_activity(
    staff_client,
):
    out = seed("--schools", "1", "--pupils-per-school", "10")

    topics = demo_topics()
    assert topics.count() == len(DEMO_TOPICS) >= 3
    assert all(topic.published and topic.activities.exists() for topic in topics)
    activities = Activity.objects.filter(topic__in=topics)
    assert {activity.kind for activity in activities} == {"video", "game", "activity"}
    video = activities.get(kind=Activity.Kind.VIDEO)
    assert video.video_link.provider == "youtube" and not video.video_file
    assert activities.get(kind=Activity.Kind.GAME).game_url.startswith("https://")
    for activity in activities:
        activity.full_clean()  # what the authoring form would accept
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    library = staff_client(teacher).get(reverse("learning:topic_list")).content.decode()
    assert all(topic.title in library for topic in topics)
    assert f"Home learning: {len(DEMO_TOPICS)} library topics" in out


@pytest.mark.parametrize("schools", ["1", "2"])
def test_the_demo_parents_child_has_a_started_topic_from_the_demo_teacher(schools):
    seed("--schools", schools, "--pupils-per-school", "40")

    parent = User.objects.get(email=DEMO_PARENT.email)
    child = Pupil.objects.get(guardianships__parent=parent, first_name=DEMO_CHILDREN[0][0])
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    [assignment] = assignments_for_child(pupil=child)
    assert assignment.topic.title == DEMO_ASSIGNMENT_TOPIC.title
    assert assignment.starts_on < school_today() < assignment.due_on
    assert assignment.start_notified_at is not None
    assert (assignment.activity_count, assignment.done_count) == (
        len(DEMO_ASSIGNMENT_TOPIC.activities),
        0,
    )
    assert assignment.set_by == teacher
    assert teacher in assignment.school_class.teachers.all()
    assert Assignment.objects.count() == 1


def test_the_hourly_run_does_not_tell_families_about_the_demo_work_again():
    seed("--schools", "1", "--pupils-per-school", "10")

    assert assignments_notify_started() == 0
    assert not Message.objects.exists()


def test_a_rerun_puts_back_demo_topics_a_newcomer_changed_in_the_same_rows():
    seed("--schools", "1", "--pupils-per-school", "10")
    first = snapshot()
    topic = demo_topics().get(title=DEMO_ASSIGNMENT_TOPIC.title)
    Topic.objects.filter(pk=topic.pk).update(summary="Changed", published=False)
    _, pictures, ending = topic.activities.order_by("position")
    Activity.objects.filter(pk=pictures.pk).update(title="Renamed", instructions="Changed")
    deleted_pk = ending.pk
    ending.delete()
    ActivityFactory(topic=topic, title="Added by a newcomer")
    ActivityFactory(topic=topic, title="Added by a newcomer", position=9)

    seed("--schools", "1", "--pupils-per-school", "10")

    again = snapshot()
    assert again["topics"] == first["topics"]
    assert again["assignments"] == first["assignments"]
    # Activities are matched by position: the changed one is put back in its row, and
    # the newcomer's, in the deleted one's place, becomes the deleted one again.
    kept = {row for row in first["activities"] if row[0] != deleted_pk}
    assert kept <= set(again["activities"])
    assert sorted(row[1:] for row in again["activities"]) == sorted(
        row[1:] for row in first["activities"]
    )
    assert not Activity.objects.filter(title="Added by a newcomer").exists()


def test_a_rerun_after_families_did_demo_activities_keeps_what_others_did():
    seed("--schools", "1", "--pupils-per-school", "10")
    parent = User.objects.get(email=DEMO_PARENT.email)
    child = Pupil.objects.get(guardianships__parent=parent, first_name=DEMO_CHILDREN[0][0])
    topic = demo_topics().get(title=DEMO_ASSIGNMENT_TOPIC.title)
    done = topic.activities.order_by("position").first()
    completion_record(pupil=child, activity=done, actor=parent)
    feedback_save(pupil=child, activity=done, actor=parent, rating=4, comment="Fun!")
    awards_evaluate(pupil=child)
    # A real school set a demo topic, and a family there did an activity added to it.
    added = ActivityFactory(topic=topic, title="Added by a newcomer")
    Completion.objects.create(
        pupil=PupilFactory(school=SchoolFactory(urn="123456")), activity=added
    )

    seed("--schools", "1", "--pupils-per-school", "10")

    child = Pupil.objects.get(guardianships__parent=parent, first_name=DEMO_CHILDREN[0][0])
    assert not Completion.objects.filter(pupil__school__urn__regex=DEMO_URN_REGEX).exists()
    assert not Feedback.objects.exists() and not Award.objects.exists()
    assert topic.activities.filter(pk=done.pk).exists()
    assert Completion.objects.filter(activity=added).exists()
    assert [assignment.done_count for assignment in assignments_for_child(pupil=child)] == [0]


def test_the_demo_schools_audit_log_shows_the_teacher_setting_the_demo_work():
    from audit.models import AuditEntry

    seed("--schools", "2", "--pupils-per-school", "20")
    seed("--schools", "2", "--pupils-per-school", "20")  # a rerun adds no second entry
    (entry,) = AuditEntry.objects.filter(action="assignment.create")
    teacher = User.objects.get(email=DEMO_TEACHER.email)
    assignment = Assignment.objects.get(topic__title=DEMO_ASSIGNMENT_TOPIC.title)
    assert (entry.actor, entry.school) == (teacher, assignment.school_class.school)
    assert entry.subject_id == str(assignment.pk)


def test_demo_platform_staff_read_the_audit_trail_and_security_log_in_the_admin(staff_client):
    seed("--schools", "1", "--pupils-per-school", "10")
    staff = User.objects.get(email=DEMO_STAFF.email)
    client = staff_client(staff)
    for model in ("auditentry", "securityevent"):
        assert client.get(f"/admin/audit/{model}/").status_code == 200
    assert not staff.has_perm("audit.change_auditentry")
    assert not staff.has_perm("audit.delete_securityevent")
