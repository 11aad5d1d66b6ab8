from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user as Chinese readers expect: family name first, no space (李晓娟), else the login name."""
    if user is None:
        return "—"
    full = f"{user.last_name}{user.first_name}".strip()
    return full or user.get_username()
