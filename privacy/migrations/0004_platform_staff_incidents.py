"""Platform staff keep the breach register in the admin: the "Platform staff"
group gets ``privacy.add_incident``, ``change_incident`` and ``view_incident``
(never delete: an incident is the record that the law was followed).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Platform staff"
CODENAMES = ("add_incident", "change_incident", "view_incident")


def incident_permissions_grant(apps, schema_editor=None):
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


def incident_permissions_revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="privacy", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_incident"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(incident_permissions_grant, incident_permissions_revoke),
    ]
