"""The ladder area's pages."""

app_name = "inspection_ladder"

urlpatterns: list = []
