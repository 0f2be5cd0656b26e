"""Routes of party life's pages, under /outreach/party/."""

from django.urls import path

from .views import party

app_name = "party_life"

urlpatterns = [
    path("", party.meetings, name="meetings"),
    path("org/<int:pk>/", party.calendar, name="calendar"),
    path("meetings/<int:pk>/", party.record, name="record"),
    path("members/<int:pk>/", party.member, name="member"),
    path("returns/", party.returns, name="returns"),
    path("returns/export.xlsx", party.return_xlsx, name="return_xlsx"),
]
