"""
The admin site: Django's, with bad input answered as bad input.

Django's admin turns most malformed values into a form error or its "?e=1"
redirect, but not all of them: an id beyond 64 bits reaches SQLite as an
OverflowError, a year 1 date overflows when converted to UTC, and an
autocomplete widget re-rendering an invalid form queries with the invalid
value. Every model admin registered on this site (ours and the third-party
ones: auth, axes) gets ``BadInputSafeAdminMixin``, so that each of these is a
form error or the changelist's own error page and never a 500.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.utils.translation import gettext_lazy as _

# Dates a news site can mean; beyond them a time zone conversion can overflow.
MIN_YEAR, MAX_YEAR = 1900, 2999


def key_in_range(field, value, using="default") -> bool:
    """Whether ``value`` is a well-formed key for ``field`` that the database can hold."""
    try:
        value = field.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    if isinstance(value, str) and "\x00" in value:
        return False
    if isinstance(value, int):
        low, high = connections[using].ops.integer_field_range(field.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return value is not None


class BadInputSafeChangeList(ChangeList):
    """A filter value the database cannot compare with is an incorrect lookup (?e=1)."""

    def get_filters(self, request):
        # PostgreSQL cannot hold a NUL character in a string: no filter can match one.
        values = [self.query, *(v for vs in self.filter_params.values() for v in vs)]
        if any("\x00" in str(value) for value in values):
            raise IncorrectLookupParameters("NUL character in a filter")
        try:
            return super().get_filters(request)
        except OverflowError as error:  # e.g. a date drill-down to year 10**20
            raise IncorrectLookupParameters(error) from error

    def get_results(self, request):
        try:
            super().get_results(request)
        except OverflowError as error:  # an id beyond 64 bits, a year 1 date in UTC
            raise IncorrectLookupParameters(error) from error


class SafeAutocompleteMixin:
    """Re-rendering an invalid form shows no selection for a value that is not a key."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.name
        )
        value = [v for v in value if v and key_in_range(to_field, v, self.db or "default")]
        return super().optgroups(name, value, attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        opts = self.queryset.model._meta
        field = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value if isinstance(value, list | tuple) else []:
            if not key_in_range(field, pk, self.queryset.db):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def _require_sensible_year(moment):
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValidationError(
            _("Give a date between the years %(first)s and %(last)s."),
            code="out_of_range",
            params={"first": MIN_YEAR, "last": MAX_YEAR},
        )


class SensibleSplitDateTimeField(forms.SplitDateTimeField):
    def compress(self, data_list):
        if data_list and data_list[0] is not None:
            _require_sensible_year(data_list[0])
        return super().compress(data_list)


class SensibleDateField(forms.DateField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            _require_sensible_year(value)
        return value


class BadInputSafeAdminMixin:
    """Mixed into every model admin of the site (see ``NewsroomAdminSite.register``)."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, BadInputSafeChangeList):
            return changelist
        return type("SafeChangeList", (BadInputSafeChangeList, changelist), {})

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField) and "form_class" not in kwargs:
            kwargs["form_class"] = SensibleSplitDateTimeField
        elif type(db_field) is models.DateField and "form_class" not in kwargs:
            kwargs["form_class"] = SensibleDateField
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class NewsroomAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BadInputSafeAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (BadInputSafeAdminMixin, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.adminsite.NewsroomAdminSite"
