"""Platform staff take a school off the portal (offboarding) with a permission of
its own, ``schools.offboard_school``, which the "Platform staff" group gets:
changing a school's details (``change_school``) is not enough.
"""

from django.db import migrations

from accounts.group_grants import platform_staff_grant, platform_staff_revoke

CODENAME = "offboard_school"


def offboard_permission_grant(apps, schema_editor=None):
    platform_staff_grant(apps, "schools", (CODENAME,))


def offboard_permission_revoke(apps, schema_editor):
    platform_staff_revoke(apps, "schools", (CODENAME,))


class Migration(migrations.Migration):
    dependencies = [
        ("schools", "0004_school_settings_for_parents"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="school",
            options={
                "ordering": ["name"],
                "permissions": [
                    ("offboard_school", "Can take a school off the portal (offboarding)")
                ],
            },
        ),
        migrations.RunPython(offboard_permission_grant, offboard_permission_revoke),
    ]
