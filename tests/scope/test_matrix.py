"""The generated scope matrix: every role × place relation × resource × action, over pages, API and admin.

Cases are generated from `spec.py`; each case performs the real request and checks what the user would
notice (the record is listed or not, opens or is missing, is created/changed or nothing happens).

Where things are:
  tests/scope/spec.py        the rules: what each role may do where, one row per resource
  tests/scope/matrix.py      the machinery: the world, `Driver`, how each surface lists, opens, creates, changes
  tests/<app>/matrix.py      each app's part: its drivers (`DRIVERS`), the records they find (`populate`), its
                             personal fields, foreign keys and admin relations
  tests/scope/registry.py    the list of the apps' parts (`APPS`), collected
  this module                the parametrisation and the tests

A new resource joins by adding a `Driver` to its app's tests/<app>/matrix.py (and what it finds to the app's
`populate(world)`) and its rules in spec.py. A new app joins by a tests/<app>/matrix.py of its own (see
tests/grids/matrix.py), named in `APPS` of registry.py. A new role joins by adding it to the cast.

Besides one actor per role, the people of the cast with several roles (`MULTI_ROLE`) act at the places their
grants point at. Two more generated families follow the main one: personal fields (who sees a person's or a
party member's mobile, e-mail, photo) per actor, resource and surface, and the admin's foreign-key widgets
(a foreign id in a raw-id box, a select or an autocomplete is refused and shows nobody out of sight).
"""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from cases.models import Case
from grids.models import User
from tests.scope import spec
from tests.scope.matrix import AdminRelation, Driver, World, do_create, do_detail, do_list, do_update, sign_in
from tests.scope.registry import ADMIN_RELATIONS, DRIVERS, FOREIGN_KEYS, PERSONAL_FIELDS
from wudu import scope

# --------------------------------------------------------------------------------------------- the matrix


def _anchors(actor: str, driver: Driver) -> list[tuple[str, str]]:
    """(relation, anchor) pairs an actor is tested at: one per relation to their place; for a person with several
    roles, every place their grants' relations lead to (each once, named by the place)."""
    if actor in spec.ROLES:
        mine = spec.ACTOR_PLACE[actor]
        return [(relation, driver.anchor(spec.TARGET[mine][relation], mine, relation)) for relation in spec.RELATIONS]
    out = {}
    for _role, mine in spec.GRANTS[actor]:
        for relation in spec.RELATIONS:
            anchor = driver.anchor(spec.TARGET[mine][relation], mine, relation)
            if anchor is not None:
                out.setdefault(anchor, (f"at_{anchor}", anchor))
    return list(out.values())


def _marks(surface: str) -> list:
    """A page or the admin reads through the same gate as the service and the API (`visible_to`, the same SQL on either
    database) and adds its rendering: those cases run in the SQLite phase only (`rendering`, tests/run.sh)."""
    return [pytest.mark.rendering] if surface in ("page", "admin") else []


def _cases():
    for surface, resource, action, actor in itertools.product(spec.SURFACES, spec.READ, spec.ACTIONS, spec.ACTORS):
        driver = DRIVERS[resource]
        if surface not in driver.surfaces:
            continue  # not offered on this surface yet (the ledger's pages, API and admin come with their issue)
        creates = getattr(driver, f"{surface}_create")
        updates = getattr(driver, f"{surface}_update")
        if action == "create" and creates is None or action == "update" and updates is None:
            continue  # no such action (people are appointed through memberships; ledger entries are immutable)
        if actor in spec.DATED and "inspector" not in spec.READ[resource]:
            continue  # an inspector before or after their dates is tested where a valid one would reach
        district_wide = resource in ("department", "case_category")
        for relation, anchor in _anchors(actor, driver):
            if anchor is None or action == "create" and district_wide and spec.LEVEL[anchor] != "district":
                continue  # no such record there (nothing sits at city level; departments are district-wide)
            yield pytest.param(surface, resource, action, actor, relation, anchor, marks=_marks(surface),
                               id=f"{surface}-{resource}-{action}-{actor}-{relation}")


CASES = list(_cases())


@pytest.mark.parametrize("surface, resource, action, role, relation, anchor", CASES)
def test_scope(world, db, client, surface, resource, action, role, relation, anchor):
    driver = DRIVERS[resource]
    allowed = spec.expected(role, resource, action, anchor, creating_child=driver.creating_child and action == "create")
    if surface == "admin":
        allowed = allowed and spec.reaches_admin(role)
    sign_in(client, world, role)

    if action == "create":
        outcome = do_create(surface, client, driver, world, world.place(anchor))
    else:
        found = driver.find(world, anchor)
        obj = type(found).objects.get(pk=found.pk)  # fresh: earlier tests' edits were rolled back in the database
        outcome = {"list": do_list, "detail": do_detail, "update": do_update}[action](surface, client, driver, obj)
    assert outcome == allowed, f"{role} {action} {resource}@{anchor} via {surface}: expected {allowed}, got {outcome}"



# --------------------------------------------------------------------------------------------- personal fields

# Where each personal field is shown (the apps' PERSONAL_FIELDS): the layer every surface calls, the management
# pages (their columns), the API (its output) and the admin (its forms and lists).


def _field_cases():
    for (resource, field), surfaces in PERSONAL_FIELDS.items():
        driver = DRIVERS[resource]
        for surface, actor in itertools.product(surfaces, spec.ACTORS):
            anchors = [anchor for _relation, anchor in _anchors(actor, driver) if anchor is not None]
            if resource == "person":
                anchors.append("self")
            for anchor in dict.fromkeys(anchors):
                yield pytest.param(surface, resource, field, actor, anchor, marks=_marks(surface),
                                   id=f"{surface}-{resource}.{field}-{actor}-{anchor}")


def _shown(surface, client, driver, obj, field: str, value: str) -> bool:
    """Does the surface show this field's value of the record to the signed-in actor?"""
    resource = driver.key
    if surface == "service":
        rows = scope.with_field_access(driver.model.objects.visible_to(client.actor).filter(pk=obj.pk), client.actor,
                                       resource)
        row = rows.first()
        if row is None:
            return False
        answer = scope.may_see_field(client.actor, obj, resource, field)
        assert getattr(row, scope.field_access_name(field)) == answer  # a list's answer is the detail's
        return answer
    if surface == "page":
        response = client.get(reverse("manage:detail", args=[resource, obj.pk]))
        return response.status_code == 200 and any(str(v) == value for _label, v in response.context["fields"])
    if surface == "api":
        response = client.get(reverse(f"api:{driver.api_basename}-detail", args=[obj.pk]))
        if response.status_code != 200:
            return False
        shown = response.json()[field]
        return bool(shown) and value in shown
    response = client.get(reverse(f"admin:{driver.admin_name}_change", args=[obj.pk]))
    return response.status_code == 200 and value in response.content.decode()


@pytest.mark.parametrize("surface, resource, field, actor, anchor", list(_field_cases()))
def test_personal_field(world, db, client, surface, resource, field, actor, anchor):
    driver = DRIVERS[resource]
    own = anchor == "self"
    found = world.cast.user(actor) if own else driver.find(world, anchor)
    obj = type(found).objects.get(pk=found.pk)
    value = str(getattr(obj, field))
    assert value, "the record needs a value to look for"
    allowed = spec.expected_field(actor, resource, field, anchor, own=own)
    if surface == "admin":
        allowed = allowed and spec.reaches_admin(actor)
    sign_in(client, world, actor)
    outcome = _shown(surface, client, driver, obj, field, value)
    assert outcome == allowed, f"{actor} sees {resource}.{field}@{anchor} via {surface}: expected {allowed}, got {outcome}"



# --------------------------------------------------------------------------------------------- admin foreign keys

# The foreign keys of the admin forms are the apps' ADMIN_RELATIONS; where a related object sits out of sight, their
# FOREIGN_KEYS.
ADMIN_ANCHORS = ["G1", "G1b", "G2", "C1", "C2", "S1", "D", "G3", "C3", "S2"]


def _admin_anchor(actor: str, relation: AdminRelation) -> str | None:
    """A place where the actor may add (or change) such a record, so that only the foreign key can refuse it."""
    action = "create" if relation.action == "add" else "update"
    for key in ADMIN_ANCHORS:
        if spec.LEVEL[key] in relation.levels and spec.expected(
                actor, relation.resource, action, key, creating_child=relation.resource == "place"):
            return key
    return None


def _foreign_key(actor: str, relation: AdminRelation, anchor: str) -> str:
    candidates = FOREIGN_KEYS[relation.related]
    if isinstance(candidates, dict):
        candidates = candidates[spec.LEVEL[anchor]]
    return next(key for key in candidates if not spec.expected(actor, relation.related, "list", key))


def _foreign_object(world: World, related: str, key: str):
    return DRIVERS[related].find(world, key)


def _admin_relation_cases():
    for relation, actor in itertools.product(ADMIN_RELATIONS, spec.ACTORS):
        if not spec.reaches_admin(actor):
            continue  # the admin refuses them altogether (tested by the main matrix)
        anchor = _admin_anchor(actor, relation)
        if anchor is None:
            continue  # they may not add such a record anywhere: nothing for a foreign key to refuse
        yield pytest.param(relation, actor, anchor, _foreign_key(actor, relation, anchor),
                           id=f"{relation.admin_name}.{relation.field}-{relation.action}-{actor}")


def _widget_shows(client, relation: AdminRelation, url: str, foreign) -> list[str]:
    """What the form's widget of the field shows of the foreign object when its id is filled in."""
    response = client.get(url, {relation.field: foreign.pk})
    assert response.status_code == 200
    form = response.context["adminform"].form
    html = str(form[relation.field])
    change_url = reverse(f"admin:{foreign._meta.app_label}_{foreign._meta.model_name}_change", args=[foreign.pk])
    choices = form.fields[relation.field].queryset
    leaks = []
    if choices.filter(pk=foreign.pk).exists():
        leaks.append("offered as a choice")
    if f'<option value="{foreign.pk}"' in html:
        leaks.append("listed as an option")
    namesake = any(str(choice) == str(foreign) for choice in choices)  # 城市管理 of this district and of the next
    if change_url in html or str(foreign) in html and not namesake:
        leaks.append("named beside the box")
    return leaks


def _lookups_show(client, relation: AdminRelation, foreign) -> list[str]:
    """Whether the raw-id lookup popup or the autocomplete list the foreign object."""
    leaks = []
    related = type(foreign)._meta
    popup = client.get(reverse(f"admin:{related.app_label}_{related.model_name}_changelist"),
                       {"_to_field": "id", "_popup": 1})
    if popup.status_code == 200 and foreign.pk in {o.pk for o in popup.context["cl"].result_list}:
        leaks.append("in the lookup popup")
    app_label, model_name = relation.admin_name.split("_", 1)
    term = getattr(foreign, "code", None) or getattr(foreign, "real_name", None) or ""
    found = client.get(reverse("admin:autocomplete"), {"app_label": app_label, "model_name": model_name,
                                                       "field_name": relation.field, "term": term})
    assert found.status_code in (200, 403, 404)
    if found.status_code == 200 and str(foreign.pk) in {row["id"] for row in found.json()["results"]}:
        leaks.append("in the autocomplete")
    return leaks


@pytest.mark.parametrize("relation, actor, anchor, foreign_key", list(_admin_relation_cases()))
def test_admin_foreign_key(world, db, client, relation, actor, anchor, foreign_key):
    """A foreign (out-of-scope) object's id is refused on add/change and not shown by the widget, the raw-id
    lookup or the autocomplete; the same form with a visible object is accepted."""
    sign_in(client, world, actor)
    foreign = _foreign_object(world, relation.related, foreign_key)
    model = DRIVERS[relation.resource].model
    if relation.action == "add":
        place = world.place(anchor)
        url = reverse(f"admin:{relation.admin_name}_add")
        if DRIVERS[relation.resource].before_create:
            DRIVERS[relation.resource].before_create(world, place)
        before = model.objects.count()
        data = relation.data(world, place)
        refused = client.post(url, {**data, relation.field: foreign.pk})
        assert model.objects.count() == before, f"{actor} added a {relation.resource} with a foreign {relation.field}"
        assert refused.status_code == 200  # the form again, with the error
        assert _widget_shows(client, relation, url, foreign) == []
        accepted = client.post(url, data)
        assert accepted.status_code == 302 and model.objects.count() == before + 1, accepted.content[:500]
    else:
        obj = DRIVERS[relation.resource].find(world, anchor)
        url = reverse(f"admin:{relation.admin_name}_change", args=[obj.pk])
        data = relation.data(obj)
        refused = client.post(url, {**data, relation.field: foreign.pk})
        obj.refresh_from_db()
        assert getattr(obj, f"{relation.field}_id") != foreign.pk, f"{actor} pointed {relation.field} out of sight"
        assert refused.status_code == 200
        assert _widget_shows(client, relation, url, foreign) == []
        assert client.post(url, data).status_code == 302
    assert _lookups_show(client, relation, foreign) == []


def test_every_admin_foreign_key_is_in_the_matrix():
    """A new foreign key in an admin form joins the matrix (a row of ADMIN_RELATIONS), or this fails."""
    from django.contrib import admin as django_admin
    from django.contrib.admin.utils import flatten_fieldsets

    from wudu.admin_base import GatedAdminMixin

    tested = {(r.admin_name, r.field) for r in ADMIN_RELATIONS}
    missing = set()
    for model, model_admin in django_admin.site._registry.items():
        if not isinstance(model_admin, GatedAdminMixin) or model in (Case, User):
            continue  # cases are read-only in the admin; people's forms have no foreign key
        declared = flatten_fieldsets(model_admin.fieldsets) if model_admin.fieldsets else model_admin.fields or ()
        # A read-only field is shown as text, never as a choice of records: it cannot offer what is out of sight.
        declared = [name for name in declared if name not in model_admin.readonly_fields]
        for name in declared:
            field = model._meta.get_field(name)
            related = field.related_model if field.is_relation else None
            if related is not None and hasattr(related._default_manager, "visible_to"):
                name_of = f"{model._meta.app_label}_{model._meta.model_name}"
                if (name_of, name) not in tested:
                    missing.add((name_of, name))
    assert missing == set()
