"""Platform staff restore a closed account within its hold, at the person's request:
the ``ClosedAccount`` proxy (no table) carries ``accounts.restore_closed_account``,
and the "Platform staff" group gets it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

import accounts.models

GROUP_NAME = "Platform staff"
CODENAME = "restore_closed_account"


def restore_permission_grant(apps, schema_editor=None):
    # Permissions are made after migrations (post_migrate): make them now.
    app_config = apps.get_app_config("accounts")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="accounts", codename=CODENAME)
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(permission)


def restore_permission_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="accounts", codename=CODENAME)
        )


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
