from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from tracker.orgs.models import Membership, Organisation, OrganisationText, PasswordChangeRequired


class OrganisationTextInline(admin.TabularInline):
    model = OrganisationText
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    inlines = [OrganisationTextInline]
    list_display = ["name", "code", "kind", "parent", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    ordering = ["path"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "last_name", "first_name", "is_staff", "is_active"]

    actions = ["require_password_change"]

    def has_delete_permission(self, request, obj=None):
        # The audit trail names people: someone who leaves is made inactive, never deleted.
        return False

    @admin.action(description=_("Require a new password at the next log-in"))
    def require_password_change(self, request, queryset):
        for user in queryset:
            PasswordChangeRequired.objects.get_or_create(user=user)
        self.message_user(
            request, _("%(n)d user(s) will choose a new password at their next log-in.") % {"n": queryset.count()}
        )


@admin.register(PasswordChangeRequired)
class PasswordChangeRequiredAdmin(admin.ModelAdmin):
    list_display = ["user", "since"]
    autocomplete_fields = ["user"]
