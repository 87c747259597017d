from django.contrib import admin
from django.db import models

from learning.forms.topics import ActivityForm
from learning.models import Activity, Topic


class ActivityInline(admin.StackedInline):
    model = Activity
    # The teachers' form: kind-dependent fields, no link to the (private) file.
    form = ActivityForm
    extra = 1
    ordering = ["position"]
    fields = ["position", "kind", "title", "instructions", "video_url", "video_file", "game_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Topic)
class LibraryTopicAdmin(admin.ModelAdmin):
    """Platform staff curate the library here: topics every school can use.

    Schools' own topics are theirs (written on the staff pages) and are not
    listed; a topic saved here is always a library topic.
    """

    inlines = [ActivityInline]
    list_display = ["title", "subject", "year_groups_display", "published", "updated_at"]
    list_filter = ["published", "subject"]
    search_fields = ["title", "summary"]
    fields = ["title", "summary", "subject", "year_group_min", "year_group_max", "published"]

    @admin.display(description="year groups")
    def year_groups_display(self, topic: Topic) -> str:
        return topic.year_groups_display

    def get_queryset(self, request):
        return super().get_queryset(request).filter(school__isnull=True)

    def save_model(self, request, obj, form, change):
        obj.school = None
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
