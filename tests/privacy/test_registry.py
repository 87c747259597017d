"""The registry of personal data covers every model that holds any.

Like Zulip's export test: a model that refers to an account or a pupil, or has a
field that may hold a name, an email, a phone number or free text, must belong to
a category in some app's ``privacy.py`` or be listed in ``EXCLUDED`` with the
reason it holds no personal data (or where it is covered).
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models

from privacy.registry import categories

ROOT = Path(__file__).resolve().parent.parent.parent

# A field whose name contains one of these may hold personal data. "ip" and
# "body" count as whole words of the name only: as substrings they would match
# "description", "relationship" or "recipient".
PERSONAL_FIELD_PARTS = (
    "name",
    "email",
    "mobile",
    "phone",
    "address",
    "comment",
    "text",
    "subject",
    "user_agent",
)
PERSONAL_FIELD_WORDS = ("ip", "body")

# Model label -> why it is not a category's. Each entry must name a real model
# that the walk below would otherwise report.
EXCLUDED = {
    # Django's own tables.
    "auth.Permission": "permission names are the code's, not a person's",
    "auth.Group": "group names are roles (Platform staff), not people",
    "sessions.Session": (
        "signed session data holding an account id; each session is listed by "
        "usersessions.UserSession (accounts' sessions category), whose erasure ends it"
    ),
    # allauth.
    "account.EmailConfirmation": (
        "a pending confirmation key of an EmailAddress (email_addresses category); "
        "deleted with the address"
    ),
    # Celery beat's schedule: task names, arguments and descriptions are the platform's.
    "django_celery_beat.PeriodicTask": "scheduled task configuration, no person's data",
    # The school as an organisation.
    "schools.School": (
        "the school's name and its office's contact email and phone are the "
        "organisation's, shown to parents; a school leaves through offboarding "
        "(schools.services.school_offboard), its row kept with status offboarded"
    ),
    # Teaching content written by staff for the school; the author links are
    # SET_NULL and go when a staff account is deleted.
    "learning.Topic": "teaching content (title, summary); created_by is a staff link",
    "learning.Activity": "teaching content (title, instructions, video)",
    "learning.Assignment": "work set for a class, with the teacher's message to all parents",
    # The platform's own documents.
    "consent.PrivacyNotice": "the notice's text is the platform's; published_by is a staff link",
    # A proxy model over engagement.Event (events category); no table of its own.
    "engagement.Overview": "proxy of engagement.Event, covered by the events category",
    # A proxy model over accounts.User (the account's categories); no table of its own.
    "accounts.ClosedAccount": "proxy of accounts.User for the restore page in the admin",
}


def _refers_to_person(model) -> bool:
    """A forward foreign key, one-to-one or many-to-many to an account or a pupil."""
    person_models = {settings.AUTH_USER_MODEL.lower(), "schools.pupil"}
    return any(
        field.related_model._meta.label_lower in person_models
        for field in (*model._meta.fields, *model._meta.many_to_many)
        if field.is_relation and field.related_model is not None
    )


def _has_personal_field(model) -> bool:
    for field in model._meta.concrete_fields:
        if isinstance(field, models.TextField):
            return True
        name = field.name.lower()
        if any(part in name for part in PERSONAL_FIELD_PARTS):
            return True
        if any(word in name.split("_") for word in PERSONAL_FIELD_WORDS):
            return True
    return False


def _personal(model) -> bool:
    return _refers_to_person(model) or _has_personal_field(model)


def _covered() -> dict[str, str]:
    return {label: found.name for found in categories() for label in found.models}


def test_every_model_holding_personal_data_has_a_category_or_an_exclusion():
    covered = _covered()
    missing = [
        model._meta.label
        for model in apps.get_models()
        if _personal(model) and model._meta.label not in covered
        if model._meta.label not in EXCLUDED
    ]
    assert missing == [], (
        "These models hold personal data but belong to no category: declare them in "
        f"their app's privacy.py or list them in EXCLUDED with the reason: {missing}"
    )


def test_the_walk_tells_personal_models_from_others():
    def label(name):
        return apps.get_model(name)

    # By a link to an account or a pupil alone (no personal-looking field).
    assert _refers_to_person(label("learning.Award"))
    assert _refers_to_person(label("engagement.EngagementDay"))
    assert _refers_to_person(label("invitations.Invitation"))
    # By a field alone.
    assert _has_personal_field(label("schools.School"))
    assert not _refers_to_person(label("schools.School"))
    # Neither.
    assert not _personal(label("otp_static.StaticToken"))
    assert not _personal(label("django_celery_beat.IntervalSchedule"))


def test_every_exclusion_names_a_real_model_the_walk_would_report():
    installed = {model._meta.label: model for model in apps.get_models()}
    stale = [label for label in EXCLUDED if label not in installed]
    needless = [
        label for label in EXCLUDED if label in installed and not _personal(installed[label])
    ]
    assert stale == [] and needless == [], (stale, needless)
    assert all(reason.strip() for reason in EXCLUDED.values())


def test_no_model_is_both_excluded_and_in_a_category():
    assert set(EXCLUDED) & set(_covered()) == set()


def test_every_category_names_installed_models_and_no_model_is_in_two():
    installed = {model._meta.label for model in apps.get_models()}
    seen: dict[str, str] = {}
    for found in categories():
        assert found.name and found.description and found.models, found
        for label in found.models:
            assert label in installed, f"{found.name}: no model {label}"
            assert label not in seen, f"{label} is in {seen.get(label)} and {found.name}"
            seen[label] = found.name


def test_categories_come_in_a_stable_order_with_unique_names():
    names = [found.name for found in categories()]
    assert names == [found.name for found in categories()]
    assert len(names) == len(set(names))


def test_autodiscovery_finds_the_categories_of_every_app_holding_personal_data():
    apps_with_categories = {type(found).__module__ for found in categories()}
    assert apps_with_categories == {
        f"{app}.privacy"
        for app in (
            "accounts",
            "audit",
            "consent",
            "engagement",
            "invitations",
            "learning",
            "notifications",
            "privacy",
            "schools",
        )
    }


def test_privacy_app_imports_no_app_models():
    """It may call other apps' services and selectors, never reach into their models."""
    portal_apps = {"accounts", "audit", "consent", "demo", "engagement", "invitations"}
    portal_apps |= {"learning", "notifications", "schools"}
    for path in (ROOT / "privacy").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                assert not (parts[0] in portal_apps and "models" in parts), f"{path} imports {name}"
                if isinstance(node, ast.ImportFrom) and parts[0] in portal_apps:
                    imported = {alias.name for alias in node.names}
                    assert "models" not in imported, f"{path} imports {name}.models"
