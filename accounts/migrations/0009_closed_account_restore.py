"""Platform staff restore a closed account within its hold, at the person's request:
the ``ClosedAccount`` proxy (no table) carries ``accounts.restore_closed_account``,
and the "Platform staff" group gets it.
"""

from django.db import migrations

from accounts.group_grants import platform_staff_grant, platform_staff_revoke

import accounts.models

CODENAME = "restore_closed_account"


def restore_permission_grant(apps, schema_editor=None):
    platform_staff_grant(apps, "accounts", (CODENAME,))


def restore_permission_revoke(apps, schema_editor):
    platform_staff_revoke(apps, "accounts", (CODENAME,))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_user_closure_notice_at"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClosedAccount",
            fields=[],
            options={
                "verbose_name": "closed account",
                "verbose_name_plural": "closed accounts",
                "permissions": [
                    (
                        "restore_closed_account",
                        "Can find a closed account and restore it within its hold",
                    )
                ],
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("accounts.user",),
            managers=[
                ("objects", accounts.models.UserManager()),
            ],
        ),
        migrations.RunPython(restore_permission_grant, restore_permission_revoke),
    ]
