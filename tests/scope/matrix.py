"""The scope matrix's machinery, the same for every app: the world the cases run in, what a `Driver` is, how
each surface lists, opens, creates and changes a record. The apps' drivers live beside their tests
(tests/<app>/matrix.py) and are collected by tests/scope/registry.py; the cases are generated in test_matrix.py.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from grids import services
from grids.models import Place, Role, User
from tests.cast import appoint_multi_role
from tests.scope import spec

WITNESS_ROLE = {
    "grid": Role.GRID_WORKER,
    "community": Role.COMMUNITY_OFFICIAL,
    "street": Role.STREET_OFFICIAL,
    "district": Role.DISTRICT_OFFICIAL,
}
GRIDS_IN_ORDER = [key for key, level in spec.LEVEL.items() if level == "grid"]


@dataclass
class World:
    cast: object
    witnesses: dict[str, User]

    def place(self, key: str) -> Place:
        return Place.objects.get(pk=self.cast.places[key].pk)

    # One signed-in session per actor, opened with the world (`open_sessions`): its key, and when they were opened.
    sessions: dict[str, str] = field(default_factory=dict)
    sessions_opened: float = 0.0

    def actor(self, name: str) -> User:
        """A fresh copy of the actor (a role of the cast, or a person with several), without cached grants."""
        return User.objects.get(pk=self.cast.user(name).pk)


# The backend is named: the project's first backends only refuse or count logins and have no users of their own.
BACKEND = "django.contrib.auth.backends.ModelBackend"


def open_sessions(world: World) -> None:
    """Sign every actor in once, as the world is built (in its savepoint, below each test's): a test then signs in by
    the session's cookie. A sign-in (`force_login`: the session written, the sign-in recorded by its signals) was 40 % of
    a matrix test's time, and the matrix signs in some 23,000 times per database."""
    for actor in spec.ACTORS:
        client = Client()
        client.force_login(world.cast.user(actor), backend=BACKEND)
        world.sessions[actor] = client.cookies[settings.SESSION_COOKIE_NAME].value
    world.sessions_opened = time.time()


def _sessions_fresh(world: World) -> bool:
    """Are the world's sessions still well inside the idle and absolute limits (wudu/sessions.py)? A test's requests
    touch its session only in the test's savepoint, so a session opened with the world ages from then on."""
    limit = min(settings.SESSION_IDLE_TIMEOUT_MINUTES * 60, settings.SESSION_ABSOLUTE_HOURS * 3600) / 2
    return time.time() - world.sessions_opened < limit


def sign_in(client, world: World, actor: str) -> None:
    key = world.sessions.get(actor)
    if key and _sessions_fresh(world):
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    else:  # a world without sessions, or one that has lived long: sign in afresh (in the test's savepoint)
        client.force_login(world.cast.user(actor), backend=BACKEND)
    client.actor = world.actor(actor)


def build_people(cast) -> World:
    """The cast plus one witness person at every place, so each place has a person and a membership, and the
    people with several roles. Each witness has a mobile, e-mail and photo of their own, to find on a page.
    (Each app's `populate(world)` then adds the records its drivers find: registry.build_world.)"""
    witnesses = {}
    appoint_multi_role(cast)
    for index, (key, level) in enumerate(spec.LEVEL.items()):
        if level not in WITNESS_ROLE:
            continue
        membership = services.person_appoint(
            actor=cast.admin, place=cast.places[key], role=WITNESS_ROLE[level],
            username=f"witness_{key}", real_name=f"见证人{key}", mobile=f"1360000{index:04d}",
        )
        User.objects.filter(pk=membership.user_id).update(photo=f"people/2026/witness_{key}.jpg",
                                                          email=f"witness_{key}@example.cn")
        witnesses[key] = membership.user
    for user in User.objects.filter(email=""):  # the cast's own people: their own e-mail and photo
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.cn",
                                               photo=f"people/2026/{user.username}.jpg")
    return World(cast=cast, witnesses=witnesses)


# --------------------------------------------------------------------------------------------- drivers


def grid_anchor(target: str, mine: str, relation: str) -> str | None:
    if spec.LEVEL[target] == "grid":
        return target
    for key in GRIDS_IN_ORDER:
        if spec.within(key, target) and (relation == "own" or not spec.within(key, mine)):
            return key
    return None



@dataclass(frozen=True)
class Driver:
    key: str
    model: type
    admin_name: str  # app_label_modelname
    api_basename: str
    anchor: Callable[[str, str, str], str | None]  # (target, mine, relation) -> place key or None
    find: Callable[[World, str], object]
    mutable_field: str = "name"
    page_create: Callable | None = None  # (world, anchor place) -> form data
    page_update: Callable | None = None  # (obj) -> form data
    admin_create: Callable | None = None
    admin_update: Callable | None = None
    api_create: Callable | None = None
    api_update: Callable | None = None
    creating_child: bool = False
    before_create: Callable | None = None  # (world, anchor place) -> None, e.g. free the slot
    service_create: Callable | None = None  # (world, actor, anchor place) -> object, through the service
    service_update: Callable | None = None  # (actor, obj) -> object, through the service
    surfaces: tuple[str, ...] = spec.SURFACES  # where the resource is offered so far
    # Resources with their own pages (not the /manage/ ones) and API lookups other than the id:
    page_list_url: str = ""  # a list page whose context has `rows`
    page_detail_url: Callable | None = None  # (obj) -> url
    page_create_url: str = ""
    page_update_url: Callable | None = None  # (obj) -> url of a POST that changes it
    api_key: Callable = lambda obj: obj.pk  # how the API names one
    api_update_url: Callable | None = None  # (obj) -> url of a POST that changes it (instead of PATCH)

    def value(self, obj) -> str:
        return getattr(type(obj).objects.get(pk=obj.pk), self.mutable_field)

    @property
    def scope_resource(self) -> str:
        return self.model._default_manager.get_queryset().scope_resource


def new_key() -> str:
    """An idempotency key (or a case's key)."""
    return str(uuid.uuid4())


def level_role(place: Place) -> str:
    return str(WITNESS_ROLE.get(place.level, Role.GRID_WORKER))


def fresh_user() -> User:
    return User.objects.create_user(username=f"new_{uuid.uuid4().hex[:8]}", real_name="新人员", mobile="13512345678")


def at_grid(model, **extra):
    """A driver's `find`: the record of `model` at the grid."""
    return lambda world, key: model.objects.get(grid=world.cast.places[key], **extra)


def key_of(world, place) -> str:
    """The cast's key of a place ("G1")."""
    return next(k for k, v in world.cast.places.items() if v.pk == place.pk)


def _parsed(form_class, data: dict, drop: str, **kwargs) -> dict:
    """Form data parsed as the page parses it, handed to the service the page calls."""
    form = form_class(data, **kwargs)
    assert form.is_valid(), form.errors
    return {k: v for k, v in form.cleaned_data.items() if k != drop}


def via_managed(name: str, driver: Driver) -> Driver:
    """The driver of a resource of the management pages (grids.manage), its service writes through the functions
    those pages call."""
    from grids.manage import RESOURCES

    managed = RESOURCES[name]

    def create(world, actor, place):
        data = _parsed(managed.create_form, driver.page_create(world, place), "idempotency_key",
                       **managed.form_kwargs(actor, place))
        return managed.create(actor, place, data, None)

    def update(actor, obj):
        return managed.update(actor, obj, _parsed(managed.edit_form, driver.page_update(obj), "version"), None)

    return Driver(**{**driver.__dict__, "service_create": create,
                     "service_update": update if driver.page_update else None})


@dataclass(frozen=True)
class AdminRelation:
    """One foreign key of an admin form: the record's resource, the related resource, the levels of place the
    record can be made at, and the form data of a valid record (the field under test set to a visible object)."""

    admin_name: str
    field: str
    action: str  # "add" or "change"
    resource: str
    related: str
    levels: tuple[str, ...]
    data: Callable  # (world, anchor place) -> form data (add) | (obj) -> form data (change)



# --------------------------------------------------------------------------------------------- surfaces


def _ids(objects) -> set[int]:
    return {obj.pk for obj in objects}


def _api_ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {row["id"] for row in rows}


def _service(call) -> bool:
    try:
        call()
    except PermissionDenied:
        return False
    return True


def do_list(surface, client, driver, obj) -> bool:
    if surface == "service":
        return driver.model.objects.visible_to(client.actor).filter(pk=obj.pk).exists()
    if surface == "page" and driver.page_list_url:
        response = client.get(driver.page_list_url)
        return response.status_code == 200 and obj.pk in _ids(response.context["rows"])
    if surface == "page":
        response = client.get(reverse("manage:list", args=[driver.key]))
        return response.status_code == 200 and obj.pk in _ids(response.context["object_list"])
    if surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-list"), {"page_size": 200})
        return response.status_code == 200 and obj.pk in _api_ids(response)
    response = client.get(reverse(f"admin:{driver.admin_name}_changelist"))
    return response.status_code == 200 and obj.pk in _ids(response.context["cl"].result_list)


def do_detail(surface, client, driver, obj) -> bool:
    if surface == "service":  # what a detail view does first: fetch by id through the gate
        return driver.model.objects.visible_to(client.actor).filter(pk=obj.pk).exists()
    if surface == "page":
        url = driver.page_detail_url(obj) if driver.page_detail_url else reverse("manage:detail",
                                                                                 args=[driver.key, obj.pk])
        response = client.get(url)
        assert response.status_code in (200, 404), response.status_code
    elif surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-detail", args=[driver.api_key(obj)]))
        assert response.status_code in (200, 404), response.status_code
    else:
        response = client.get(reverse(f"admin:{driver.admin_name}_change", args=[obj.pk]))
    return response.status_code == 200


def do_create(surface, client, driver, world, place) -> bool:
    if driver.before_create:
        driver.before_create(world, place)
    before = driver.model.objects.count()
    if surface == "service":
        ok = _service(lambda: driver.service_create(world, client.actor, place))
        assert driver.model.objects.count() - before == (1 if ok else 0)
        return ok
    if surface == "page":
        url = driver.page_create_url or reverse("manage:create", args=[driver.key]) + f"?place={place.code}"
        response = client.post(url, driver.page_create(world, place))
        ok = response.status_code == 302
    elif surface == "api":
        response = client.post(reverse(f"api:{driver.api_basename}-list"), driver.api_create(world, place),
                               content_type="application/json")
        ok = response.status_code == 201
    else:
        response = client.post(reverse(f"admin:{driver.admin_name}_add"), driver.admin_create(world, place))
        ok = response.status_code == 302 and driver.model.objects.count() > before
    created = driver.model.objects.count() - before
    assert created == (1 if ok else 0), (response.status_code, created, getattr(response, "content", b"")[:300])
    return ok


def do_update(surface, client, driver, obj) -> bool:
    before = driver.value(obj)
    if surface == "service":
        ok = _service(lambda: driver.service_update(client.actor, obj))
        assert (driver.value(obj) != before) == ok
        return ok
    if surface == "page":
        url = driver.page_update_url(obj) if driver.page_update_url else reverse("manage:edit",
                                                                                 args=[driver.key, obj.pk])
        response = client.post(url, driver.page_update(obj))
        ok = response.status_code == 302
    elif surface == "api" and driver.api_update_url:
        response = client.post(driver.api_update_url(obj), driver.api_update(obj), content_type="application/json")
        ok = response.status_code == 200
    elif surface == "api":
        response = client.patch(reverse(f"api:{driver.api_basename}-detail", args=[obj.pk]), driver.api_update(obj),
                                content_type="application/json")
        ok = response.status_code == 200
    else:
        response = client.post(reverse(f"admin:{driver.admin_name}_change", args=[obj.pk]), driver.admin_update(obj))
        ok = response.status_code == 302 and driver.value(obj) != before
    changed = driver.value(obj) != before
    assert changed == ok, (response.status_code, before, driver.value(obj), getattr(response, "content", b"")[:300])
    return ok
