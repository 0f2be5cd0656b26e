"""Routes of the lecturers' pool: staff pages under /outreach/lecturers/, the public 点单 and rating link under
/xuanjiang/ (no login)."""

from django.urls import include, path

from .views import lecturers as views

staff = [
    path("", views.pool, name="pool"),
    path("<int:pk>/", views.lecturer_detail, name="lecturer"),
    path("<int:pk>/topics/add", views.topic_add, name="topic_add"),
    path("<int:pk>/topics/<int:topic_id>/review", views.topic_review, name="topic_review"),
    path("mine/", views.mine, name="mine"),
    path("requests/", views.queue, name="queue"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/assign", views.request_assign, name="assign"),
    path("requests/<int:pk>/accept", views.request_accept, name="accept"),
    path("requests/<int:pk>/decline", views.request_decline, name="decline"),
    path("requests/<int:pk>/deliver", views.request_deliver, name="deliver"),
    path("requests/<int:pk>/cancel", views.request_cancel, name="cancel"),
]

public = [
    path("", views.public_request, name="request"),
    path("t/<str:token>/", views.public_track, name="track"),
]

urlpatterns = [
    path("outreach/lecturers/", include((staff, "outreach_lecturers"))),
    path("xuanjiang/", include((public, "outreach_public_lessons"))),
]
