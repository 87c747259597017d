"""Platform staff open the engagement overview in the admin (totals across schools,
no names): the "Platform staff" group gets ``engagement.view_engagement_overview``.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Platform staff"
CODENAME = "view_engagement_overview"


def overview_permission_grant(apps, schema_editor=None):
    # Permissions are made after migrations (post_migrate): make them now.
    app_config = apps.get_app_config("engagement")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="engagement", codename=CODENAME)
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.add(permission)


def overview_permission_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="engagement", codename=CODENAME)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("engagement", "0003_nudges_and_overview"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(overview_permission_grant, overview_permission_revoke),
    ]
