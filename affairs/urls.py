"""Where the affairs pages live: residents' /affairs/ (catalogue, items, applying, tracking), staff /affairs/desk/."""

from django.urls import path

from . import views

app_name = "affairs"

urlpatterns = [
    path("affairs/", views.catalogue, name="catalogue"),
    path("affairs/item/<int:item_id>/", views.item_page, name="item"),
    path("affairs/item/<int:item_id>/apply/", views.apply, name="apply"),
    path("affairs/t/<str:token>/", views.track, name="track"),
    path("affairs/t/<str:token>/resubmit/", views.resubmit, name="resubmit"),
    path("affairs/t/<str:token>/certificate.pdf", views.track_certificate, name="track_certificate"),
    path("affairs/t/<str:token>/rate/", views.rate, name="rate"),
    path("affairs/verify/<str:code>/", views.verify, name="verify"),
    path("affairs/desk/", views.desk, name="desk"),
    path("affairs/household/<int:household_id>/", views.on_behalf, name="on_behalf"),
    path("affairs/desk/<str:reference>/", views.detail, name="detail"),
    path("affairs/desk/<str:reference>/act/<str:action>/", views.act, name="act"),
    path("affairs/desk/<str:reference>/certificate.pdf", views.certificate, name="certificate"),
    path("affairs/desk/<str:reference>/certificate/revoke/", views.revoke_certificate, name="revoke_certificate"),
    path("affairs/desk/<str:reference>/rectify/", views.rectify, name="rectify"),
]
