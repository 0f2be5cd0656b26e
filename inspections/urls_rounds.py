"""The rounds area's pages."""

app_name = "inspections"

urlpatterns: list = []
