from django import template

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read (one indexed count)."""
    if not user.is_authenticated:
        return 0
    return user.notifications.filter(read=False).count()
