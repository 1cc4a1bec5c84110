"""Staff see every job (pending, retried, failed, done) and every scheduled run; they can retry a job now.

Nothing here edits a job by hand: the action calls jobs.services.retry_now, the same rule the worker follows.
"""

from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jobs.models import Job, JobStatus, ScheduledRun, SchedulerLease
from jobs.services import retry_now


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # The list stays "changeable" so that the retry action (which needs the change permission) is offered.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


class RetriedFilter(admin.SimpleListFilter):
    """Jobs that failed at least once: retried, waiting for a retry, or given up (the error stays once done)."""

    title = _("retried")
    parameter_name = "retried"

    def lookups(self, request, model_admin):
        return [("yes", _("Failed at least once")), ("no", _("Never failed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(last_error="")
        if self.value() == "no":
            return queryset.filter(last_error="")
        return queryset


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "key", "status", "attempts", "run_after", "created_at", "finished_at", "error"]
    list_filter = ["status", RetriedFilter, "name"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    exclude = ["kwargs"]
    readonly_fields = [f.name for f in Job._meta.fields if f.name != "kwargs"] + ["arguments"]
    actions = ["retry_selected"]
    list_per_page = 50

    @admin.display(description=_("arguments"))
    def arguments(self, job: Job) -> str:
        # A rendered email's body may hold someone's password-reset link: staff see whom it is for, not the link.
        if job.name == "jobs.mail.send_rendered_email":
            return str({key: job.kwargs.get(key) for key in ("subject", "to")})
        return str(job.kwargs)

    @admin.display(description=_("last error"))
    def error(self, job: Job) -> str:
        lines = job.last_error.strip().splitlines()
        return Truncator(lines[-1]).chars(120) if lines else ""

    @admin.action(description=_("Retry now (pending or failed jobs)"))
    def retry_selected(self, request, queryset):
        count = retry_now(queryset.filter(status__in=[JobStatus.PENDING, JobStatus.FAILED]))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d job will be tried again now.", "%(count)d jobs will be tried again now.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
        if skipped > 0:
            self.message_user(
                request,
                ngettext(
                    "%(count)d job was running or done and was left alone.",
                    "%(count)d jobs were running or done and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["task", "period_start", "claimed_at", "finished_at", "result"]
    list_filter = ["task"]
    readonly_fields = [f.name for f in ScheduledRun._meta.fields]
    date_hierarchy = "period_start"

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SchedulerLease)
class SchedulerLeaseAdmin(ReadOnlyAdmin):
    """Which beat sends the schedule, since when, and until when its lease lasts unless renewed."""

    list_display = ["name", "holder", "acquired_at", "renewed_at", "expires_at"]
    readonly_fields = [f.name for f in SchedulerLease._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False
