"""Open311 GeoReport v2 (JSON): other civic apps list our service categories and submit and read requests."""

from django.http import HttpResponse


def services(request):
    return HttpResponse("not built yet", status=501)


def requests(request):
    return HttpResponse("not built yet", status=501)


def request_detail(request, reference: str):
    return HttpResponse("not built yet", status=501)
