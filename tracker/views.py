from django.shortcuts import render

from tracker.orgs.models import Organisation


def home(request):
    """The start page: the organisations the user may see, with links into them."""
    orgs = Organisation.objects.for_user(request.user)
    return render(request, "home.html", {"orgs": orgs})
