# Being written: the review text page and .docx (helper D).
from django.http import Http404


def review_page(request, org, year):
    raise Http404


review_docx = review_page
