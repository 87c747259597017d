"""Giving the *Platform staff* group a permission from a data migration, and taking
it back. Works on the migration's historical models (``apps``) only, so a migration
that calls it keeps doing the same thing whatever later code does to the models."""

from django.contrib.auth.management import create_permissions

PLATFORM_STAFF = "Platform staff"


def platform_staff_grant(apps, app_label: str, codenames) -> None:
    """Add ``app_label``'s ``codenames`` to the group (made if missing)."""
    # Permissions are made after migrations (post_migrate): make them now.
    app_config = apps.get_app_config(app_label)
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = models_module or True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(
        Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )
    if len(permissions) != len(set(codenames)):
        raise LookupError(f"{app_label}: not every permission of {sorted(codenames)} exists")
    group, _ = Group.objects.get_or_create(name=PLATFORM_STAFF)
    group.permissions.add(*permissions)


def platform_staff_revoke(apps, app_label: str, codenames) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=PLATFORM_STAFF).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )
