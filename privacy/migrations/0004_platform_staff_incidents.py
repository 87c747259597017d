"""Platform staff keep the breach register in the admin: the "Platform staff"
group gets ``privacy.add_incident``, ``change_incident`` and ``view_incident``
(never delete: an incident is the record that the law was followed).
"""

from django.db import migrations

from accounts.group_grants import platform_staff_grant, platform_staff_revoke

CODENAMES = ("add_incident", "change_incident", "view_incident")


def incident_permissions_grant(apps, schema_editor=None):
    platform_staff_grant(apps, "privacy", CODENAMES)


def incident_permissions_revoke(apps, schema_editor):
    platform_staff_revoke(apps, "privacy", CODENAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_incident"),
        ("accounts", "0006_platform_staff_group"),
    ]

    operations = [
        migrations.RunPython(incident_permissions_grant, incident_permissions_revoke),
    ]
