"""The reports area's pages."""

app_name = "inspection_reports"

urlpatterns: list = []
