"""Reads of the lecturers' pool (宣讲团) and its lesson requests: the pool with each lecturer's figures, lessons per
community, the organiser's queue, a lecturer's own assignments, and the public link's view of one request.

Figures keep numerator and denominator side by side (a mean of nothing is no figure, not 0):
- lead time: days from the request to the delivery (local dates), over the delivered lessons;
- rating: the mean of every listener's score (each rating counts once) over the lecturer's delivered lessons.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from grids.models import Level, Place
from wudu import scope
from wudu.pages import NEWEST_FIRST, Keyset, keyset_page

from ..models import Lecturer, LecturerTopic, LessonRating, LessonRequest, RequestStatus

__all__ = [
    "LessonFigures", "access_lecturer", "access_lesson_request", "lecturer_figures", "lecturer_pool_page",
    "lessons_by_community", "lesson_request_queue", "my_lecturer_profile", "my_lesson_requests",
    "public_lesson_request", "public_communities", "lecturer_topics_for_assignment", "POOL_PAGE_SIZE",
    "QUEUE_PAGE_SIZE",
]

POOL_PAGE_SIZE = 30
QUEUE_PAGE_SIZE = 30


@dataclass
class LessonFigures:
    lessons: int = 0
    audience: int = 0
    lead_days_sum: int = 0
    lead_count: int = 0
    rating_sum: int = 0
    rating_count: int = 0

    @property
    def lead_days(self) -> float | None:
        return round(self.lead_days_sum / self.lead_count, 1) if self.lead_count else None

    @property
    def rating(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 2) if self.rating_count else None


def access_lecturer(user, lecturer_id) -> Lecturer:
    return scope.access(Lecturer.objects.visible_to(user).select_related("home", "user"), user, pk=lecturer_id)


def access_lesson_request(user, request_id) -> LessonRequest:
    return scope.access(
        LessonRequest.objects.visible_to(user).select_related("community", "lecturer", "topic", "event"),
        user, pk=request_id)


BY_NAME = Keyset(
    order=("name", "pk"),
    seek=lambda qs, after: (qs.filter(Q(name__gt=after.rsplit("|", 1)[0])
                                      | Q(name=after.rsplit("|", 1)[0], pk__gt=int(after.rsplit("|", 1)[1])))
                            if "|" in after and after.rsplit("|", 1)[1].isdigit() else qs),
    cursor=lambda row: f"{row.name}|{row.pk}",
)


def lecturer_figures(lecturer_ids) -> dict[int, LessonFigures]:
    """Each lecturer's delivered lessons, audience, lead time and ratings: two grouped queries."""
    figures: dict[int, LessonFigures] = {pk: LessonFigures() for pk in lecturer_ids}
    if not figures:
        return figures
    delivered = (LessonRequest.objects.filter(lecturer_id__in=figures, status=RequestStatus.DELIVERED)
                 .values("lecturer_id").annotate(n=Count("id"), lead=Sum("lead_days"), lead_n=Count("lead_days"),
                                                 audience=Sum("event__actual_audience")))
    for row in delivered:
        f = figures[row["lecturer_id"]]
        f.lessons, f.lead_days_sum, f.lead_count = row["n"], row["lead"] or 0, row["lead_n"]
        f.audience = row["audience"] or 0
    ratings = (LessonRating.objects.filter(request__lecturer_id__in=figures, request__status=RequestStatus.DELIVERED)
               .values("request__lecturer_id").annotate(total=Sum("score"), n=Count("id")))
    for row in ratings:
        f = figures[row["request__lecturer_id"]]
        f.rating_sum, f.rating_count = row["total"], row["n"]
    return figures


def lecturer_pool_page(user, after: str = "", *, kind: str = "", size: int = POOL_PAGE_SIZE) -> tuple[list, str]:
    """One page of the pool the user sees, by name, each lecturer with their topics and figures (4 queries)."""
    queryset = (Lecturer.objects.visible_to(user).select_related("home")
                .prefetch_related(Prefetch("topics", queryset=LecturerTopic.objects.order_by("title", "id"))))
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = scope.with_field_access(queryset, user, "lecturer")
    rows, next_after = keyset_page(queryset, after, size=size, keyset=BY_NAME)
    figures = lecturer_figures([row.pk for row in rows])
    for row in rows:
        row.figures = figures[row.pk]
    return rows, next_after


def lessons_by_community(user) -> list[dict]:
    """Delivered lessons per community the user sees: lessons, audience, lead time, ratings (2 queries)."""
    delivered = LessonRequest.objects.visible_to(user).filter(status=RequestStatus.DELIVERED)
    rows = {row["community_id"]: row for row in delivered.values("community_id", "community__name", "community__code")
            .annotate(n=Count("id"), lead=Sum("lead_days"), lead_n=Count("lead_days"),
                      audience=Sum("event__actual_audience")).order_by("community__code")}
    ratings = {row["request__community_id"]: row for row in LessonRating.objects.filter(request__in=delivered)
               .values("request__community_id").annotate(total=Sum("score"), n=Count("id"))}
    out = []
    for community_id, row in rows.items():
        rating = ratings.get(community_id, {})
        out.append({"name": row["community__name"], "code": row["community__code"], "figures": LessonFigures(
            lessons=row["n"], audience=row["audience"] or 0, lead_days_sum=row["lead"] or 0, lead_count=row["lead_n"],
            rating_sum=rating.get("total") or 0, rating_count=rating.get("n") or 0)})
    return out


def lesson_request_queue(user, after: str = "", *, status: str = "", size: int = QUEUE_PAGE_SIZE) -> tuple[list, str]:
    """The organiser's queue, newest first, optionally one status (1 query)."""
    queryset = LessonRequest.objects.visible_to(user).select_related("community", "lecturer", "topic")
    if status:
        queryset = queryset.filter(status=status)
    queryset = scope.with_field_access(queryset, user, "lesson_request")
    return keyset_page(queryset, after, size=size, keyset=NEWEST_FIRST)


def lecturer_topics_for_assignment(user) -> QuerySet:
    """The reviewed, active topics of active lecturers the user sees: what a request can be assigned."""
    return (LecturerTopic.objects.filter(lecturer__in=Lecturer.objects.visible_to(user).filter(active=True),
                                         reviewed_at__isnull=False, active=True)
            .select_related("lecturer").order_by("lecturer__name", "title"))


def my_lecturer_profile(user) -> Lecturer | None:
    """The lecturer the signed-in person is (their own record: no grant needed to see oneself)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Lecturer.objects.filter(user=user).select_related("home").first()


def my_lesson_requests(user) -> list[LessonRequest]:
    """The requests assigned to the signed-in lecturer, open first. These are the person's own assignments, read by
    owner (the lecturer's account) rather than by place: a lecturer may hold no grant at the community at all."""
    return list(LessonRequest.objects.filter(lecturer__user=user).exclude(status=RequestStatus.REQUESTED)
                .select_related("community", "topic", "event").order_by("-requested_at", "-id")[:100])


def public_lesson_request(token: str) -> LessonRequest:
    """The request behind a public rating link (the token is the capability), or 404."""
    request = (LessonRequest.objects.filter(rating_token=token)
               .select_related("community", "lecturer", "topic", "event").first())
    if request is None:
        raise Http404
    return request


def public_communities() -> QuerySet:
    """The communities a resident can order a lesson for (their names are public)."""
    return Place.objects.filter(level=Level.COMMUNITY).defer("boundary").select_related("parent").order_by("code")
