"""The findings area's pages."""

app_name = "inspection_findings"

urlpatterns: list = []
