"""The steps of an incident after it is recorded, each a page of the admin: a
form (details, scope, report, retrospective) or a confirmation that says what
will happen (school notices, family notices, closing). Each calls one service;
an IncidentError is shown on the page, nothing half done."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from privacy.admin.display import count_words, when
from privacy.forms import IncidentForm, ReportForm, RetrospectiveForm, ScopeForm
from privacy.models import Incident
from privacy.selectors import (
    incident_affected_counts,
    incident_family_notice_counts,
    incident_school_notice_counts,
)
from privacy.services import (
    IncidentError,
    incident_close,
    incident_close_blockers,
    incident_notice_blockers,
    incident_notify_schools,
    incident_report_record,
    incident_retrospective_record,
    incident_scope_set,
    incident_update,
)
from privacy.tasks import incident_notify_families_task

TEMPLATES = "admin/privacy/incident"


class IncidentStepsMixin:
    """The step pages of ``IncidentAdmin``; it provides ``_incident`` and ``_context``."""

    def _done(self, request, incident: Incident, message: str, change: str):
        self.log_change(request, incident, change)
        self.message_user(request, message, messages.SUCCESS)
        return redirect(reverse("admin:privacy_incident_change", args=[incident.pk]))

    def _form_step(self, request, incident, form, *, title, submit, intro, save):
        """A step with a form: ``save(cleaned_data)`` calls the service and returns
        the message to show."""
        if request.method == "POST" and form.is_valid():
            try:
                message = save(form.cleaned_data)
            except IncidentError as error:
                form.add_error(None, str(error))
            else:
                return self._done(request, incident, message, title)
        fieldsets = form.fieldsets() if hasattr(form, "fieldsets") else [(None, list(form))]
        context = self._context(
            request,
            f"{incident}: {title}",
            incident,
            step=title,
            form=form,
            fieldsets=fieldsets,
            submit=submit,
            intro=intro,
        )
        return TemplateResponse(request, f"{TEMPLATES}/form.html", context)

    def edit_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        initial = {name: getattr(incident, name) for name in IncidentForm.FIELDS}
        form = IncidentForm(request.POST or None, initial=initial)

        def save(cleaned):
            changed = incident_update(incident=incident, actor=request.user, **cleaned)
            return "Saved." if changed else "Nothing changed."

        return self._form_step(
            request,
            incident,
            form,
            title="Change the details",
            submit="Save",
            intro=f"Found at {when(incident.found_at)}: that stays, as the deadlines count "
            "from it.",
            save=save,
        )

    def scope_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        initial = {
            "kind": incident.scope_kind,
            "schools": incident.scope_schools.all(),
            "classes": list(incident.scope_classes.values_list("pk", flat=True)),
            "starts_at": incident.scope_from,
            "ends_at": incident.scope_until,
            "template": incident.scope_template,
            "channel": incident.scope_channel,
        }
        form = ScopeForm(request.POST or None, initial=initial)

        def save(cleaned):
            incident_scope_set(incident=incident, actor=request.user, **cleaned)
            counts = incident_affected_counts(incident=incident)
            return (
                f"Scope set: {counts.schools} schools, {counts.parents} parents or carers, "
                f"{counts.pupils} pupils and {counts.staff} staff affected."
            )

        return self._form_step(
            request,
            incident,
            form,
            title="Set the scope",
            submit="Set the scope",
            intro="Who is affected is found from the data, not typed in: choose the kind of "
            "scope, then fill in what that kind reads. Setting it again after notices went "
            "is fine: sending again reaches only those not yet told.",
            save=save,
        )

    def report_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        form = ReportForm(request.POST or None, initial={"reported": "yes", "at": timezone.now()})

        def save(cleaned):
            incident_report_record(incident=incident, actor=request.user, **cleaned)
            return "The report is recorded." if cleaned["reported"] else "The decision is recorded."

        return self._form_step(
            request,
            incident,
            form,
            title="Record the report to the ICO",
            submit="Record",
            intro=f"Due by {when(incident.ico_due_at)}: 72 hours after the portal became aware.",
            save=save,
        )

    def retrospective_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        form = RetrospectiveForm(request.POST or None, initial={"text": incident.retrospective})

        def save(cleaned):
            incident_retrospective_record(incident=incident, actor=request.user, **cleaned)
            return "The retrospective is recorded."

        return self._form_step(
            request,
            incident,
            form,
            title="Record the retrospective",
            submit="Save the retrospective",
            intro=f"Due by {when(incident.retrospective_due_at)}: 7 days after it was found.",
            save=save,
        )

    def _confirm(
        self, request, incident, *, title, blockers, summary, button, danger=False, nothing=""
    ):
        context = self._context(
            request,
            f"{incident}: {title}",
            incident,
            step=title,
            blockers=blockers,
            summary=summary,
            button=button,
            danger=danger,
            nothing=nothing,
        )
        return TemplateResponse(request, f"{TEMPLATES}/confirm.html", context)

    def notify_schools_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        blockers = incident_notice_blockers(incident=incident)
        if request.method == "POST" and not blockers:
            try:
                queued = incident_notify_schools(incident=incident, actor=request.user)
            except IncidentError as error:
                blockers = [str(error)]
            else:
                return self._done(
                    request, incident, f"{queued} school notices queued.", "School notices sent"
                )
        counts = incident_school_notice_counts(incident=incident)
        summary = [
            f"{count_words(counts.to_send, 'message')} will go, one to each admin of the "
            f"{count_words(counts.schools, 'affected school')} not yet told, by email.",
        ]
        if counts.already_sent:
            summary.append(
                f"{count_words(counts.already_sent, 'admin was', 'admins were')} told before "
                "and will not be sent another."
            )
        if counts.schools_without_admin:
            summary.append(
                count_words(
                    counts.schools_without_admin, "affected school has", "affected schools have"
                )
                + " no admin on the portal: tell them another way."
            )
        return self._confirm(
            request,
            incident,
            title="Tell the affected schools",
            blockers=blockers,
            summary=summary,
            button=f"Send {count_words(counts.to_send, 'school notice')}",
            nothing="" if counts.to_send else "Every admin of an affected school has been told.",
        )

    def notify_families_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        blockers = incident_notice_blockers(incident=incident)
        if request.method == "POST" and not blockers:
            incident_notify_families_task.delay(incident.pk, request.user.pk)
            return self._done(
                request,
                incident,
                "The family notices are being queued; this page shows when they have been.",
                "Family notices sent",
            )
        counts = incident_family_notice_counts(incident=incident)
        parents = count_words(
            counts.parents, "affected parent or carer", "affected parents and carers"
        )
        emails, texts = count_words(counts.emails, "email"), count_words(counts.texts, "text")
        summary = [
            f"{count_words(counts.to_send, 'message')} will go to the {parents}: {emails} and "
            f"{texts}, on every channel each has an address for.",
        ]
        if counts.closed or counts.restricted:
            summary.append(
                f"They include {count_words(counts.closed, 'closed account')} and "
                f"{count_words(counts.restricted, 'restricted account')}: a breach notice goes to "
                "them too, as the law requires telling everyone affected."
            )
        if counts.already_sent:
            summary.append(
                f"{count_words(counts.already_sent, 'was', 'were')} told before and will not "
                "be sent another on the same channel."
            )
        if counts.unreachable:
            summary.append(
                f"{count_words(counts.unreachable, 'has', 'have')} neither an email address nor a "
                "mobile number: their schools must tell them."
            )
        return self._confirm(
            request,
            incident,
            title="Tell the affected families",
            blockers=blockers,
            summary=summary,
            button=f"Send {count_words(counts.to_send, 'family notice')}",
            nothing="" if counts.to_send else "No affected parent or carer is left to tell.",
        )

    def close_view(self, request, object_id):
        incident = self._incident(request, object_id, manage=True)
        blockers = incident_close_blockers(incident=incident) if incident.closed_at is None else []
        if incident.closed_at is not None:
            blockers = ["This incident is already closed."]
        if request.method == "POST" and not blockers:
            try:
                incident_close(incident=incident, actor=request.user)
            except IncidentError as error:
                blockers = [str(error)]
            else:
                return self._done(request, incident, f"{incident} is closed.", "Closed")
        return self._confirm(
            request,
            incident,
            title="Close the incident",
            blockers=blockers,
            summary=[
                "Once closed, nothing more can be recorded on it: no scope, notices, "
                "report or retrospective. It stays in the register."
            ],
            button="Close the incident",
            danger=True,
        )
