from django.urls import path

from . import ledger_views

app_name = "ledger"
urlpatterns = [
    path("", ledger_views.ledger, name="list"),
    path("export.xlsx", ledger_views.ledger_xlsx, name="xlsx"),
    path("export.pdf", ledger_views.ledger_pdf, name="pdf"),
]
