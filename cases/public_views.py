"""Residents' self-service (自助式网上办理): submit without an account, track through a private link, evaluate."""

from django.http import HttpResponse


def submit(request):
    return HttpResponse("not built yet", status=501)


def lookup(request):
    return HttpResponse("not built yet", status=501)


def track(request, token: str):
    return HttpResponse("not built yet", status=501)


def evaluate(request, token: str):
    return HttpResponse("not built yet", status=501)
