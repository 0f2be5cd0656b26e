"""Staff pages of the case loop: workbenches, lists, the case page and its steps, notifications."""

from django.http import HttpResponse


def case_list(request):
    return HttpResponse(status=501)


def case_new(request):
    return HttpResponse(status=501)


def center(request):
    return HttpResponse(status=501)


def center_map(request):
    return HttpResponse(status=501)


def center_map_data(request):
    return HttpResponse(status=501)


def department(request):
    return HttpResponse(status=501)


def notifications(request):
    return HttpResponse(status=501)


def notification_badge(request):
    return HttpResponse(status=501)


def notifications_read(request):
    return HttpResponse(status=501)


def from_visit(request, visit_id):
    return HttpResponse(status=501)


def case_detail(request, reference):
    return HttpResponse(status=501)


def case_step(request, reference, action):
    return HttpResponse(status=501)
