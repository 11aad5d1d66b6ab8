from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from tracker.inputs import parse_whole
from tracker.orgs.models import Membership, Organisation, OrganisationText, PasswordChangeRequired


class KeyCheckingAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box, leaving out a posted value that cannot be a row's integer key.

    To show the form again with its errors, Django looks the posted values up: "²" or 5,000 digits
    raised ValueError while the page was drawn (a 500) instead of the field's own "not a valid choice".
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if parse_whole(str(v)) is not None], attr)


class AutocompleteKeysChecked:
    """For a ModelAdmin or inline with autocomplete_fields whose targets have integer keys (all ours)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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


class MembershipInline(AutocompleteKeysChecked, admin.TabularInline):
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
class PasswordChangeRequiredAdmin(AutocompleteKeysChecked, admin.ModelAdmin):
    list_display = ["user", "since"]
    autocomplete_fields = ["user"]
