"""Certificates: the staff's pages under /outreach/certificates/, the public verification under /zhengshu/."""

from django.urls import path

from .views import certs

app_name = "outreach_certs"

urlpatterns = [
    path("", certs.certificate_list, name="list"),
    path("new/", certs.certificate_issue, name="issue"),
    path("<int:pk>/", certs.certificate_detail, name="detail"),
    path("<int:pk>/pdf/", certs.certificate_download, name="pdf"),
    path("<int:pk>/revoke/", certs.certificate_revoke, name="revoke"),
]

public_urlpatterns = ([path("<str:token>/", certs.certificate_verify, name="verify")], "certs_public")
