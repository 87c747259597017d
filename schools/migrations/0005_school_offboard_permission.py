"""Platform staff take a school off the portal (offboarding) with a permission of
its own, ``schools.offboard_school``, which the "Platform staff" group gets:
changing a school's details (``change_school``) is not enough.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Platform staff"
CODENAME = "offboard_school"


def offboard_permission_grant(apps, schema_editor=None):
    # Permissions are made after migrations (post_migrate): make them now.
    app_config = apps.get_app_config("schools")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="schools", codename=CODENAME)
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(permission)


def offboard_permission_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="schools", codename=CODENAME)
        )


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
