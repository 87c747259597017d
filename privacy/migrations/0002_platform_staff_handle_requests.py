"""Platform staff follow and handle every school's privacy requests in the admin:
the "Platform staff" group gets ``privacy.view_privacyrequest`` and
``privacy.change_privacyrequest`` (the steps: start, close, refuse). Never add or
delete: requests come from people and schools, and leave only through erasure.
"""

from django.db import migrations

from accounts.group_grants import platform_staff_grant, platform_staff_revoke

CODENAMES = ["view_privacyrequest", "change_privacyrequest"]


def request_permissions_grant(apps, schema_editor=None):
    platform_staff_grant(apps, "privacy", CODENAMES)


def request_permissions_revoke(apps, schema_editor):
    platform_staff_revoke(apps, "privacy", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(request_permissions_grant, request_permissions_revoke),
    ]
