# Being written: summary, units, trend, index (helper E).
from django.http import Http404


def index(request):
    raise Http404


summary = units = trend = index
