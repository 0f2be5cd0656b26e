"""What each role may do, written as the rules a district would state them — in terms of the place tree,
not of codes or of the gate's table — so that the generated matrix checks the implementation against an
independent statement of the rules.

A new role joins by adding it to `READ`/`WRITE`; a new resource by adding a row below and a `Driver` in its
app's tests/<app>/matrix.py (how to build, find and change one; see test_matrix.py).

People with several roles (the cast's `MULTI_ROLE`) may do what any of their roles allows (the union of their
grants), with one exception: covert spot checks never reach a grid where the person holds a grid role.
"""

from tests.cast import MULTI_ROLE, ROLE_PLACES, TREE

ROLES = [str(role) for role in ROLE_PLACES]
ACTOR_PLACE = {str(role): key for role, key in ROLE_PLACES.items()}
# Every actor of the matrix (one per role, then the people with several roles) and their (role, place) grants.
MULTI = list(MULTI_ROLE)
# Team members outside their round's dates (tests/inspections/matrix_rounds.py adds them to the world): one of a round
# that has not started yet, one of a round whose follow-up period ended. They stand where the cast's inspector
# stands (a team covering 董庄社区 C1), but a team member holds the inspector's grants only from the round's first
# day to the end of its follow-up period: before and after, they hold none (`valid_grants`), so they see and write
# nothing of rounds, findings, rectification, places or people (their own assignment is their own record: the
# inspections home shows it, with the days their access runs).
DATED = {"inspector_before": "C1", "inspector_after": "C1"}
ACTORS = ROLES + MULTI + list(DATED)
GRANTS = {
    **{role: ((role, key),) for role, key in ACTOR_PLACE.items()},
    **{name: tuple((str(role), key) for role, key in grants) for name, grants in MULTI_ROLE.items()},
    **{name: (("inspector", key),) for name, key in DATED.items()},
}


def valid_grants(actor: str) -> tuple:
    """The actor's grants valid today: a dated actor's are outside their round's dates."""
    return () if actor in DATED else GRANTS[actor]
RELATIONS = ("own", "sibling", "parent", "other_street")
ACTIONS = ("list", "detail", "create", "update")
# "service": the queryset gate for reads and the service functions for writes — the layer every surface
# calls; resources whose pages, API or admin do not exist yet are covered here first.
SURFACES = ("service", "page", "api", "admin")

PARENT = {key: parent for parent, _name, key, _box in TREE}
PARENT["CITY"] = None
LEVEL = {"CITY": "city", "D": "district", "D2": "district", "S1": "street", "S2": "street", "S3": "street",
         "C1": "community", "C2": "community", "C3": "community", "C4": "community",
         "G1": "grid", "G1b": "grid", "G2": "grid", "G3": "grid", "G4": "grid", "B1": "building"}

# The place an actor's relation points at, from where the actor stands.
TARGET = {
    "G1": {"own": "G1", "sibling": "G1b", "parent": "C1", "other_street": "G3"},
    "C1": {"own": "C1", "sibling": "C2", "parent": "S1", "other_street": "C3"},
    "S1": {"own": "S1", "sibling": "S2", "parent": "D", "other_street": "S2"},
    "D": {"own": "D", "sibling": "D2", "parent": "CITY", "other_street": "S2"},
    # where the people with several roles also stand
    "C2": {"own": "C2", "sibling": "C1", "parent": "S1", "other_street": "C3"},
    "G2": {"own": "G2", "sibling": "G1", "parent": "C2", "other_street": "G3"},
    "S2": {"own": "S2", "sibling": "S1", "parent": "D", "other_street": "S1"},
}

# Roles that reach the Django admin at all (officials and the command center are staff; grid staff and
# department staff work in the app only).
ADMIN_ROLES = {"community_official", "street_official", "district_official", "command_center", "system_admin"}

EVERYONE = set(ROLES)
# 三权分立: the security administrator reads the places, people and memberships it grants roles in (people without
# their private fields) and the departments; the audit administrator reads the audit only — neither reads data.
NO_DATA = {"security_admin", "audit_admin"}
# The inspection office and the teams read rounds, findings and rectification, and the places and people they
# inspect (without private fields): not the district's data.
INSPECTION = {"inspection_office", "inspector"}
DATA_ROLES = [role for role in ROLES if role not in NO_DATA | INSPECTION]
GRANTOR = {"security_admin": "subtree"}
INSPECTION_READ = dict.fromkeys(INSPECTION, "subtree")
OFFICIALS = {"community_official", "street_official", "district_official"}
GRID_ROLES = {"grid_head", "instructor", "grid_worker"}

# resource → {role: how far reading reaches}: "subtree" (own place and below), "line" (own place, below and above:
# what names the actor's unit) or "district" (the whole
# district). A role missing from a resource's row sees none of it.
EVERY_SUBTREE = dict.fromkeys(DATA_ROLES, "subtree")
LEDGER_READERS = {role: "subtree" for role in DATA_ROLES if role != "department_staff"}  # departments see cases only
ABOVE_THE_GRID = {role: "subtree" for role in OFFICIALS | {"command_center", "system_admin"}}  # covert checks
READ = {
    "place": {**EVERY_SUBTREE, **GRANTOR, **INSPECTION_READ},
    "person": {**EVERY_SUBTREE, **GRANTOR, **INSPECTION_READ},
    "membership": {**EVERY_SUBTREE, **GRANTOR, **INSPECTION_READ},
    "department": dict.fromkeys([*DATA_ROLES, "security_admin", *INSPECTION], "district"),
    "partner": EVERY_SUBTREE,
    "party_org": EVERY_SUBTREE,
    # The party-member register is the party organisation's business: departments do not read it.
    "party_member": {role: "subtree" for role in DATA_ROLES if role != "department_staff"},
    # Volunteers where they live, hours where the recording organisation is registered: not departments.
    "volunteer": LEDGER_READERS,
    "service_hours": LEDGER_READERS,
    # 三会一课 and 主题党日: the party's business, as its register: departments do not read them.
    "branch_meeting": {role: "subtree" for role in DATA_ROLES if role != "department_staff"},
    "household": LEDGER_READERS,
    "site": LEDGER_READERS,
    "patrol": LEDGER_READERS,
    "visit": LEDGER_READERS,
    "daily_report": LEDGER_READERS,
    "spot_check": ABOVE_THE_GRID,
    # Cases: everyone reads the cases of their subtree; a department reads what was dispatched to it (the world's
    # cases are all dispatched to the cast's department, 城市管理; other departments are tested in tests/cases).
    "case": EVERY_SUBTREE,
    "case_category": dict.fromkeys([*DATA_ROLES, *INSPECTION], "district"),
    # A bulletin is read at its place and below, and by the units it names above them ("line": either way).
    "bulletin": dict.fromkeys(DATA_ROLES, "line"),
    "objection": dict.fromkeys(DATA_ROLES, "line"),  # read with its bulletin
    # Volunteer certificates: read below the issuing organisation's place; departments do not read them.
    "certificate": LEDGER_READERS,
    # The lecturers' pool: everyone in the subtree of the lecturer's home; lesson requests: not departments.
    "lecturer": EVERY_SUBTREE,
    "lesson_request": LEDGER_READERS,
    # Outreach events: everyone reads the events of their subtree.
    "event": EVERY_SUBTREE,
    # Volunteer organisations are read along the line: the district's organisation lectures in every community.
    "volunteer_org": dict.fromkeys(DATA_ROLES, "line"),
    # Findings of inspection (问题清单): the inspection office across its district, a team member where their team's
    # coverage reaches (while it lasts), the officials of the place and above (a community sees its own findings) and
    # the system administrator. Grid staff and departments do not read them.
    "finding": {"inspection_office": "subtree", "inspector": "subtree", **{r: "subtree" for r in OFFICIALS},
                "system_admin": "subtree"},
    # Rounds of inspection (巡察轮次) with their teams and the places they cover: the whole district's rounds are read by
    # its inspection office, by a team member while their round (or its follow-up) runs, by the officials of the
    # district's streets and communities (whose places are inspected) and by the system administrator.
    "inspection_round": {"inspection_office": "district", "inspector": "district",
                         **dict.fromkeys(OFFICIALS, "district"), "system_admin": "district"},
    # Rectification tasks (整改): read where their finding is by the inspection office, the team within its coverage,
    # the officials of the place and above, the system administrator; department staff reach only the tasks their
    # department owns (the world's are all owned by the district's 城市管理, the cast's department).
    "rectification": {**INSPECTION_READ, **{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree",
                      "department_staff": "subtree"},
    # The ladder's documents (督办文书) are read exactly as their task (a department reads its own tasks' documents).
    "notice": {**INSPECTION_READ, **{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree",
               "department_staff": "subtree"},
    # Re-checks as the round's report shows them: their task and their round both read, so not by departments (which
    # read no rounds).
    "recheck": {**INSPECTION_READ, **{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # A round's draws of re-checks and a district's counter of the documents' numbers: read as the district's rounds.
    "recheck_draw": {"inspection_office": "district", "inspector": "district",
                     **dict.fromkeys(OFFICIALS, "district"), "system_admin": "district"},
    "notice_counter": {"inspection_office": "district", "inspector": "district",
                       **dict.fromkeys(OFFICIALS, "district"), "system_admin": "district"},
    # Community services: the catalogue is the district's, read by all its staff (and by residents on the public
    # pages and API, outside the gate). An application is read by its handling unit and the levels above it, the
    # command center and the system administrator; a department's staff read those their department handles, and a
    # grid's staff those they made for a resident (帮办代办) — the world's are handled by places and made by residents,
    # so neither reads them (tests/affairs checks both).
    "service_item": dict.fromkeys(DATA_ROLES, "district"),
    "application": {**{r: "subtree" for r in OFFICIALS}, "command_center": "subtree", "system_admin": "subtree"},
}

# resource → {role: "below" (strictly under the actor's place) | "subtree" (own place and below) | "at" (the actor's
# place itself)}
WRITE = {
    "place": {**{r: "below" for r in OFFICIALS}, "grid_head": "below", "system_admin": "subtree"},
    "person": {},
    # Roles are granted by the officials below them and by the security administrator, not the system administrator.
    "membership": {**{r: "below" for r in OFFICIALS}, "security_admin": "subtree"},
    "department": {"district_official": "subtree", "system_admin": "subtree"},
    "partner": {**{r: "below" for r in OFFICIALS}, "grid_head": "subtree", "system_admin": "subtree"},
    # A community's own party organisation (社区党委) is kept by the community's officials; a grid's by its instructor
    # and the officials above.
    "party_org": {**{r: "subtree" for r in OFFICIALS}, "instructor": "subtree", "system_admin": "subtree"},
    "party_member": {**{r: "subtree" for r in OFFICIALS}, "instructor": "subtree", "system_admin": "subtree"},
    # Volunteers are registered by the offices where they live and the grid's instructor; hours are countersigned
    # (update) and honour hours entered (create) by the office of the recording organisation's place.
    "volunteer": {**{r: "subtree" for r in OFFICIALS}, "instructor": "subtree", "system_admin": "subtree"},
    "service_hours": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # recorded (held, minutes, attendance) by the grid's instructor and the officials of the place and above it
    "branch_meeting": {**{r: "subtree" for r in OFFICIALS}, "instructor": "subtree", "system_admin": "subtree"},
    "household": {**{r: "below" for r in OFFICIALS}, **{r: "subtree" for r in GRID_ROLES}, "system_admin": "subtree"},
    "site": {**{r: "below" for r in OFFICIALS}, **{r: "subtree" for r in GRID_ROLES}, "system_admin": "subtree"},
    # Only the grid's own workers (and its head) walk it; nobody edits a ledger entry from above.
    "patrol": {"grid_worker": "subtree", "grid_head": "subtree", "system_admin": "subtree"},
    "visit": {"grid_worker": "subtree", "grid_head": "subtree", "system_admin": "subtree"},
    "daily_report": {},
    "spot_check": {**{r: "below" for r in OFFICIALS}, "command_center": "subtree", "system_admin": "subtree"},
    # Changing a case means taking a step; the matrix's step is 督办 (supervision), the command center's alone.
    # Every other step's roles are checked by tests/cases (pages, API, and the property test).
    "case": {"command_center": "subtree"},
    "case_category": {"command_center": "subtree", "system_admin": "subtree"},
    # Building a bulletin (create) and publishing it (update): the command center and the system administrator.
    "bulletin": {"command_center": "subtree", "system_admin": "subtree"},
    "objection": {"command_center": "subtree", "system_admin": "subtree"},  # settling one
    # 谁记录谁证明: the officials of the organisation's place (and above) issue and revoke for it.
    "certificate": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # The pool and its lesson requests are kept by the officials of the place (a community its own) and the system
    # administrator; the matrix's change of a request is its cancellation.
    "lecturer": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    "lesson_request": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # Events are recorded by the officials of their venue's community, street or district (their own place too), a
    # grid's party-building instructor at the grid, and the system administrator; grid heads and workers take part.
    "event": {**{r: "subtree" for r in OFFICIALS}, "instructor": "subtree", "system_admin": "subtree"},
    "volunteer_org": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # Findings are recorded and edited by the teams within their coverage (the matrix's inspector covers 董庄社区) and
    # by the inspection office in its district; the inspected units and the system administrator only read them.
    "finding": {"inspection_office": "subtree", "inspector": "subtree"},
    # Rounds are planned and their teams staffed by the district's inspection office alone.
    "inspection_round": {"inspection_office": "subtree"},
    # Changing a task means taking a step; the matrix's step is 延长期限 (extend), the inspection office's alone (the
    # owner unit's and the team's steps are checked in tests/inspections/test_tasks_*.py).
    "rectification": {"inspection_office": "subtree"},
    # A place's officials keep the items it and the places below it offer.
    "service_item": {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # An application is handled ("at": the place itself, not above) by the unit that holds it: its officials (a
    # department's staff for a department's). The matrix's step is 接收 (receive).
    "application": {r: "at" for r in OFFICIALS},
}

# Where creating differs from changing: who may register a case at a grid — its own grid worker or head (a
# report), the command center anywhere in its district (the hotline), officials above the grid (an assignment).
CREATE = {
    "case": {"grid_worker": "subtree", "grid_head": "subtree", "command_center": "subtree",
             **{r: "below" for r in OFFICIALS}},
    # 交办: the inspection office anywhere in its district, a team member where their team's coverage reaches today.
    "rectification": {"inspection_office": "subtree", "inspector": "subtree"},
}


# Entering a case, by source: the grid's staff report from their own grid, the command center registers hotline
# calls in its district, the command center or an official above the grid assigns one. A person with several
# roles enters a source only where one grant allowing *that source* reaches the grid; the case's first event
# names that grant's role.
ENTRY = {
    "patrol": {"grid_worker": "subtree", "grid_head": "subtree"},
    "hotline": {"command_center": "subtree"},
    "assigned": {"command_center": "subtree", **{r: "below" for r in OFFICIALS}},
}


def entry_roles(actor: str, source: str, anchor: str) -> set[str]:
    """The roles under which `actor` may enter a case of `source` at grid `anchor` (empty: refused)."""
    out = set()
    for role, mine in valid_grants(actor):
        reach = ENTRY[source].get(role)
        if reach == "subtree" and within(anchor, mine) or reach == "below" and within(anchor, mine) and anchor != mine:
            out.add(role)
    return out


# Covert records: whoever holds a grid role at the grid never sees nor records them, whatever else they hold.
COVERT = {"spot_check"}

# Personal fields: who sees them, beyond reading the record. "below": the record's person serves strictly under
# the viewer's place (colleagues at the same office call each other's work phones); "subtree": at or under it.
# A person always sees their own. Whoever reads a record and is not named here sees it without that field.
_PRIVATE = {**{r: "below" for r in OFFICIALS}, "command_center": "subtree", "system_admin": "subtree"}
PERSONAL = {
    # a person's own mobile and e-mail: officials above them, the command center (it dispatches and calls),
    # the system admin; grid staff use their colleagues' work phones; departments see names, roles, work phones
    ("person", "mobile"): _PRIVATE,
    ("person", "email"): _PRIVATE,
    # the photo is on the grid's public notice: the grid's staff see their colleagues'; departments don't
    ("person", "photo"): {**_PRIVATE, **{r: "subtree" for r in GRID_ROLES}},
    # party members' mobiles: the grid's instructor, the officials above it, the system admin
    ("party_member", "mobile"): {"instructor": "subtree", **{r: "subtree" for r in OFFICIALS},
                                 "system_admin": "subtree"},
    # volunteers' mobiles: the same (the grid's instructor organises its volunteers)
    ("volunteer", "mobile"): {"instructor": "subtree", **{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    # a lecturer's mobile and a lesson requester's: those who assign and call (the officials, the system admin)
    ("lecturer", "mobile"): {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
    ("lesson_request", "requester_mobile"): {**{r: "subtree" for r in OFFICIALS}, "system_admin": "subtree"},
}


def ancestors(key: str) -> list[str]:
    out = []
    while key is not None:
        out.append(key)
        key = PARENT[key]
    return out


def within(key: str, top: str) -> bool:
    return top in ancestors(key)


def district_of(key: str) -> str | None:
    return next((k for k in ancestors(key) if LEVEL[k] == "district"), None)


def expected(actor: str, resource: str, action: str, anchor: str, *, creating_child: bool = False) -> bool:
    """May `actor` (a role of the cast, or a person with several) do `action` on a `resource` at place `anchor`?

    For creating a place, `anchor` is the would-be parent (`creating_child`): the new place sits below it.
    """
    if resource in COVERT and any(role in GRID_ROLES and within(anchor, mine) for role, mine in GRANTS[actor]):
        return False
    return any(_expected_one(role, mine, resource, action, anchor, creating_child=creating_child)
               for role, mine in valid_grants(actor))


def reaches_admin(actor: str) -> bool:
    return any(role in ADMIN_ROLES for role, _mine in GRANTS[actor])


def expected_field(actor: str, resource: str, field: str, anchor: str, *, own: bool = False) -> bool:
    """Does `actor` see `field` of a `resource` at `anchor` (`own`: the record describes the actor)?"""
    if own:
        return True
    if not expected(actor, resource, "list", anchor):
        return False
    rules = PERSONAL[(resource, field)]
    for role, mine in valid_grants(actor):
        reach = rules.get(role)
        if reach == "subtree" and within(anchor, mine) or reach == "below" and within(anchor, mine) and anchor != mine:
            return True
    return False


def _expected_one(role: str, mine: str, resource: str, action: str, anchor: str, *, creating_child: bool) -> bool:
    if action in ("list", "detail"):
        reach = READ[resource].get(role)
        if reach is None:
            return False
        if reach == "district":
            return district_of(anchor) is not None and district_of(anchor) == district_of(mine)
        if reach == "line":
            return within(anchor, mine) or within(mine, anchor)
        return within(anchor, mine)
    reach = (CREATE.get(resource, WRITE[resource]) if action == "create" else WRITE[resource]).get(role)
    if reach is None:
        return False
    if creating_child:
        return within(anchor, mine)  # the new child is strictly below the actor iff its parent is within
    if reach == "below":
        return within(anchor, mine) and anchor != mine
    if reach == "at":
        return anchor == mine
    return within(anchor, mine)
