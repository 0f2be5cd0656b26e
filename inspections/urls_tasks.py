"""The tasks area's pages."""

app_name = "inspection_tasks"

urlpatterns: list = []
