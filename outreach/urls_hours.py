"""Routes of the volunteers' pages (the `hours` area): the public check-in at /outreach/qd/."""

from django.urls import path

from .views import hours

patterns = ([
    path("qd/", hours.check_in, name="check_in"),
    path("events/<int:pk>/attendance/", hours.attendance, name="attendance"),
    path("events/<int:pk>/attendance/qr.png", hours.attendance_qr, name="attendance_qr"),
    path("events/<int:pk>/attendance/sign/", hours.countersign, name="countersign"),
    path("volunteers/", hours.volunteer_list, name="volunteers"),
    path("volunteers/<int:pk>/", hours.volunteer_detail, name="volunteer"),
    path("hours/review/", hours.review, name="review"),
], "outreach_hours")
