"""Platform staff as the data migration makes them: members of one group."""

import importlib

from django.apps import apps
from django.contrib.auth.models import Group

from accounts.admin_site import PLATFORM_STAFF_GROUP
from tests.factories import UserFactory

# Written out here, not read from the migration, so a change to it must change this too.
PLATFORM_STAFF_PERMISSIONS = {
    "learning.add_topic",
    "learning.change_topic",
    "learning.delete_topic",
    "learning.view_topic",
    "learning.add_activity",
    "learning.change_activity",
    "learning.delete_activity",
    "learning.view_activity",
    "consent.add_privacynotice",
    "consent.change_privacynotice",
    "consent.view_privacynotice",
    "schools.add_school",
    "schools.change_school",
    "schools.view_school",
    "notifications.view_message",
    "audit.view_auditentry",
    "audit.view_securityevent",
    "engagement.view_engagement_overview",
    "privacy.view_privacyrequest",
    "privacy.change_privacyrequest",
    "privacy.add_incident",
    "privacy.change_incident",
    "privacy.view_incident",
    "accounts.restore_closed_account",
    "schools.offboard_school",
}

_migration = importlib.import_module("accounts.migrations.0006_platform_staff_group")
_overview_migration = importlib.import_module(
    "engagement.migrations.0004_platform_staff_see_engagement_overview"
)
_requests_migration = importlib.import_module(
    "privacy.migrations.0002_platform_staff_handle_requests"
)
_incidents_migration = importlib.import_module("privacy.migrations.0004_platform_staff_incidents")
_restore_migration = importlib.import_module("accounts.migrations.0009_closed_account_restore")
_offboard_migration = importlib.import_module("schools.migrations.0005_school_offboard_permission")


def platform_staff_group() -> Group:
    """The group as the migration keeps it. Tests that run in a transaction (the
    browser's) start from an emptied database, so it is put back for them."""
    _migration.platform_staff_group_keep(apps)
    _overview_migration.overview_permission_grant(apps)
    _requests_migration.request_permissions_grant(apps)
    _incidents_migration.incident_permissions_grant(apps)
    _restore_migration.restore_permission_grant(apps)
    _offboard_migration.offboard_permission_grant(apps)
    return Group.objects.get(name=PLATFORM_STAFF_GROUP)


def platform_staff_member(**fields):
    """A platform staff account holding only the group's permissions."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(platform_staff_group())
    return user
