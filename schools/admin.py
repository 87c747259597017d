from django.contrib import admin

from schools.models import School


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """Platform staff onboard schools here. Pupil data is deliberately not in the admin:
    platform staff see none without a school's support grant."""

    list_display = ["name", "urn", "kind", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "urn"]
