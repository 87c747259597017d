"""Platform staff follow and handle every school's privacy requests in the admin:
the "Platform staff" group gets ``privacy.view_privacyrequest`` and
``privacy.change_privacyrequest`` (the steps: start, close, refuse). Never add or
delete: requests come from people and schools, and leave only through erasure.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Platform staff"
CODENAMES = ["view_privacyrequest", "change_privacyrequest"]


def request_permissions_grant(apps, schema_editor=None):
    # Permissions are made after migrations (post_migrate): make them now.
    app_config = apps.get_app_config("privacy")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="privacy", codename__in=CODENAMES
    )
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(*permissions)


def request_permissions_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="privacy", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(request_permissions_grant, request_permissions_revoke),
    ]
