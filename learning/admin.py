"""The library in the Django admin.

Platform staff see pupils and parents nowhere here: a topic or activity families
have used is not deleted, and the refusal gives counts, never Django's list of
the related rows (each of which names a child: "Ottoline did ...").
"""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME

from accounts.admin_site import delete_refused
from learning.forms.topics import ActivityForm
from learning.models import Activity, Assignment, Completion, Feedback, Topic
from learning.services import ActivityInUseError, TopicInUseError, topic_delete


def _activity_use(activity: Activity) -> list[tuple[str, int]]:
    counts = [
        ("times a family marked it done", Completion.objects.filter(activity=activity).count()),
        ("ratings, comments and photos", Feedback.objects.filter(activity=activity).count()),
    ]
    return [(label, count) for label, count in counts if count]


def _topic_use(topic: Topic) -> list[tuple[str, int]]:
    counts = [
        ("classes it has been set for", Assignment.objects.filter(topic=topic).count()),
        (
            "activities marked done by families",
            Completion.objects.filter(activity__topic=topic).count(),
        ),
        (
            "ratings, comments and photos from families",
            Feedback.objects.filter(activity__topic=topic).count(),
        ),
    ]
    return [(label, count) for label, count in counts if count]


class ActivityInline(admin.StackedInline):
    model = Activity
    # The teachers' form: kind-dependent fields, no link to the (private) file.
    form = ActivityForm
    extra = 1
    ordering = ["position"]
    fields = ["position", "kind", "title", "instructions", "video_url", "video_file", "game_url"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class CountsOnlyForm(formset.form):
            def hand_clean_DELETE(self):
                """Refuse to delete an activity families have used, with counts:
                Django's own message lists each completion, by the child's name."""
                if not self.cleaned_data.get(DELETION_FIELD_NAME) or self.instance._state.adding:
                    return
                counts = _activity_use(self.instance)
                if counts:
                    held = ", ".join(f"{count} {label}" for label, count in counts)
                    raise ValidationError(
                        f"This activity cannot be deleted: families have used it ({held})."
                    )
                super().hand_clean_DELETE()

        formset.form = CountsOnlyForm
        return formset


@admin.register(Topic)
class LibraryTopicAdmin(admin.ModelAdmin):
    """Platform staff curate the library here: topics every school can use.

    Schools' own topics are theirs (written on the staff pages) and are not
    listed; a topic saved here is always a library topic. A topic set for a class
    or used by families cannot be deleted (unpublish it instead).
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

    def get_actions(self, request):
        # Deleting many at once would list what protects each, by name.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and _topic_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_view(self, request, object_id, extra_context=None):
        topic = self.get_object(request, object_id)
        if topic is not None and super().has_delete_permission(request, topic):
            counts = _topic_use(topic)
            if counts:
                return self._delete_refused(request, topic, counts)
        try:
            return super().delete_view(request, object_id, extra_context)
        except (TopicInUseError, ActivityInUseError):
            # Set or used between the check above and the delete.
            return self._delete_refused(request, topic, _topic_use(topic))

    def _delete_refused(self, request, topic: Topic, counts):
        return delete_refused(
            request,
            self,
            topic,
            reason=(
                "This topic cannot be deleted: schools have set it or families have used it. "
                "Unpublish it instead, so that no school can set it again."
            ),
            counts=counts,
        )

    def delete_model(self, request, obj):
        topic_delete(topic=obj, actor=request.user)

    def save_model(self, request, obj, form, change):
        obj.school = None
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
