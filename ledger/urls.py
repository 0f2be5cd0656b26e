"""The ledger's pages: the phone patrol (/patrol/) and the ledger with its exports (/ledger/)."""

from django.urls import include, path

from .views import daily, ledger, patrol

patrol_urls = ([
    path("", patrol.home, name="home"),
    path("start/", patrol.start, name="start"),
    path("<int:pk>/end/", patrol.end, name="end"),
    path("<int:pk>/visits/", patrol.visit, name="visit"),
    path("sw.js", patrol.service_worker, name="sw"),
], "patrol")

ledger_urls = ([
    path("", ledger.ledger, name="list"),
    path("export.xlsx", ledger.ledger_xlsx, name="xlsx"),
    path("export.pdf", ledger.ledger_pdf, name="pdf"),
    path("daily/<str:code>/", daily.daily_report, name="daily"),
], "ledger")

urlpatterns = [
    path("ledger/", include(ledger_urls)),
    path("patrol/", include(patrol_urls)),
]
