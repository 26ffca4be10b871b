"""
Department scoping for the admin, in one place.

A staff user sees and changes only what belongs to the departments of their
memberships. Objects outside that scope are a 403 (not a silent redirect),
whether reached from a list, a bookmark or a crafted POST.
"""

from django.core.exceptions import PermissionDenied, ValidationError


class DepartmentScopedAdminMixin:
    """Subclasses say how to narrow a queryset to a user's departments."""

    def scope(self, request, queryset):
        raise NotImplementedError

    def in_scope(self, request, obj):
        return self.scope(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        # Look the object up unscoped so that an out-of-scope id is refused
        # with a 403 below rather than reported as missing.
        queryset = super().get_queryset(request)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            object_id = field.to_python(object_id)
            obj = queryset.get(**{field.name: object_id})
        except (model.DoesNotExist, ValidationError, ValueError, TypeError):
            return None
        if not self.in_scope(request, obj):
            raise PermissionDenied
        return obj

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))
