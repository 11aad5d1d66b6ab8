from django.shortcuts import render
from django.views.decorators.http import require_safe

from tracker.orgs.models import Organisation


@require_safe
def home(request):
    """The start page: the organisations the user may see, with links into them."""
    orgs = Organisation.objects.for_user(request.user)
    return render(request, "home.html", {"orgs": orgs})
