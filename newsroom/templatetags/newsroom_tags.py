"""
Filters for the admin's Django templates. The public pages' helpers are
in newsroom/templating.py.
"""

from django import template

register = template.Library()


@register.filter
def minutes(duration):
    """Whole minutes of a timedelta, rounded up (for "try again in N minutes")."""
    if duration is None:
        return ""
    return max(1, -(-int(duration.total_seconds()) // 60))
