"""The rounds area's pages: 巡察首页 (/xuncha/), the rounds, one round with its teams, planning and staffing."""

from django.urls import path

from .views import rounds

app_name = "inspections"

urlpatterns: list = [
    path("", rounds.home, name="home"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/progress/", rounds.round_progress, name="round_progress"),
    path("rounds/<int:pk>/teams/new/", rounds.team_create, name="team_create"),
    path("rounds/<int:pk>/teams/<int:team_pk>/edit/", rounds.team_edit, name="team_edit"),
]
