"""The framework floor for `make bench`: a bare authenticated view behind the same middleware as every page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path


@login_required
def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("floor", floor, name="bench-floor")]
