# Being written: the JSON summary (helper F).
from django.http import Http404


def summary(request):
    raise Http404
