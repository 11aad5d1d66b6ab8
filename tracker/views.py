from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.orgs.models import Organisation, depth


@require_safe
def home(request):
    """The start page: the organisations the user may see, with links into them."""
    orgs = list(Organisation.objects.for_user(request.user).order_by("path"))
    top = min((depth(org.path) for org in orgs), default=1)
    # Each with its depth below the user's topmost organisation, for the indentation of the tree.
    rows = [(org, depth(org.path) - top) for org in orgs]
    return render(request, "home.html", {"rows": rows, "orgs": orgs})
