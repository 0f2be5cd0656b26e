"""Shared parts of the REST API: the gated base viewset, writes through services, headers, errors, tokens.

Status codes: invisible or missing → 404; visible but not writable → 403; bad input or a broken rule →
400; someone changed the record since its `version` was read → 409. A create retried with the same
`Idempotency-Key` answers 201 again with the record made the first time.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in, user_login_failed
from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_orjson_renderer.renderers import ORJSONRenderer
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from . import scope, tokens
from .access_log import record_denial, record_personal_read
from .errors import Conflict, messages_by_field
from .passwords import PasswordIsCurrent


class PasswordGate:
    """A viewset's permissions always end with `PasswordIsCurrent`, whatever `permission_classes` it sets: a token
    call of a person who must change their password is refused (403) on every endpoint (the middleware sees web
    sessions only). Subclasses set `permission_classes` freely; they cannot define `get_permissions` (ScopedViewSet
    refuses it at import), so the check cannot be dropped by accident."""

    def get_permissions(self):
        permissions_ = super().get_permissions()
        if not any(isinstance(p, PasswordIsCurrent) for p in permissions_):
            permissions_.append(PasswordIsCurrent())
        return permissions_


class ScopedViewSet(PasswordGate, viewsets.GenericViewSet):
    """Every API viewset starts here: lists and single objects always pass through the scope gate.

    Subclasses set `scope_model` and may narrow with `filter_queryset_extra`; they cannot replace
    `get_queryset`, `get_object` or `get_permissions` (defining one raises at import), so neither the gate nor the
    password check (`PasswordGate`) can be skipped by accident. A list that really must not be gated (reference data
    every signed-in user reads) derives from `DangerouslyUnscopedListViewSet` instead, a name that says so.
    """

    scope_model = None
    _GATED = ("queryset", "get_queryset", "get_object", "get_permissions")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls._GATED if name in cls.__dict__]
        if overridden:
            raise TypeError(f"{cls.__name__} must not set {'/'.join(overridden)}: use scope_model and hooks")

    def base_queryset(self):
        return self.scope_model._default_manager.all()

    def filter_queryset_extra(self, queryset):
        return queryset

    def get_queryset(self):
        queryset = self.base_queryset().visible_to(self.request.user)
        # Whether each row's personal fields may be shown is answered in the same query (see PersonalFields).
        queryset = scope.with_field_access(queryset, self.request.user, self.scope_resource)
        return self.filter_queryset_extra(queryset)

    def get_object(self):
        """The object the URL names among those the user sees: missing and invisible are the same 404. Then the
        object permissions run (GateAllowsChange: visible but not writable is 403)."""
        queryset = self.filter_queryset(self.get_queryset())
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        try:
            obj = get_object_or_404(queryset, **lookup)
        except Http404:
            # The same 404, but one the gate hid is recorded as a denial (exception_handler).
            raise scope.hidden_or_missing(self.base_queryset(), self.request.user, **lookup) from None
        self.check_object_permissions(self.request, obj)
        return obj

    @property
    def scope_resource(self) -> str:
        return self.scope_model._default_manager.get_queryset().scope_resource


class DangerouslyUnscopedListViewSet(PasswordGate, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The one deliberate bypass of the gate in the API: a read-only list of reference data that every signed-in
    user of every district reads alike (finding categories, household tags), so that there is nothing to scope.

    Subclasses set `queryset`; they list only (no detail, no writes). Anything that belongs to a place or a
    person is a `ScopedViewSet`: grep for `dangerously` to review every bypass.
    """

    permission_classes = [permissions.IsAuthenticated, PasswordIsCurrent]
    pagination_class = None
    filter_backends = []
    http_method_names = ["get", "head", "options"]


def bad_request(request, exception=None):
    """Django's own 400 (the site's `handler400`): a request refused before any view read it — more files than
    DATA_UPLOAD_MAX_NUMBER_FILES, a malformed multipart body, a host not allowed. Under /api/ it is the API's
    JSON error, as documented; elsewhere Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(_("请求无法读取（例如一次上传的文件超过上限，或请求体格式有误），未保存任何内容。"))}, status=400)
    return defaults.bad_request(request, exception)


def exception_handler(exc, context):
    """Service errors become clear API errors: validation 400, conflict 409, permission 403.

    A value the database cannot hold (an id past 64 bits, a time offset past ±15:59) is refused by the field that
    reads it (`wudu.filters`, `MAX_ID` in bodies), with the field's name: no DataError is caught here."""
    if isinstance(exc, Conflict):
        return Response({"detail": exc.messages[0], "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = messages_by_field(exc, general="detail")
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, (DjangoPermissionDenied, scope.PermissionDenied)):
        # Keep the service's reason ("只能巡查本人负责的网格。"); a bare refusal gets DRF's default message.
        exc = exceptions.PermissionDenied(str(exc.args[0]) if exc.args and exc.args[0] else None)
    request = context.get("request")
    if request is not None and isinstance(exc, scope.HiddenObject):
        record_denial(request, status=404, target=exc.target)
    elif request is not None and isinstance(exc, exceptions.PermissionDenied):  # the gate's, and permission_denied's
        record_denial(request, status=403)
    return drf_exception_handler(exc, context)


# ---------------------------------------------------------------------------------------------- shared mechanics

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER,
    description="Client-generated UUID. Sending the same key again creates nothing new and answers 201 with "
                "the record created the first time (whatever the body of the retry).",
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description='The `version` the client read (also sent as the ETag, e.g. "3"). Alternative to `version` in the '
                "body, which wins when both are given. A stale version answers 409; none means last write wins.",
)


class GatedReference:
    """A reference to another object resolved through the scope gate: invisible and missing look the same."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.context["request"].user)


class GatedIdField(GatedReference, serializers.PrimaryKeyRelatedField):
    """An object named by its id; `missing` says which kind of thing was not found."""

    def __init__(self, *, missing, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": missing, "incorrect_type": missing})
        super().__init__(**kwargs)


class PersonalFields:
    """Output serializer mixin: the gate's personal fields of the resource (`personal_fields` in wudu/scope.py)
    come out as null when the requester may not see them; the rest of the record is unchanged."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        resource = self.Meta.model._default_manager.get_queryset().scope_resource
        user = self.context["request"].user
        for name in scope.personal_fields(resource):
            if name in data and not scope.may_see_field(user, instance, resource, name):
                data[name] = None
        return data


PERSONAL_HELP = "Null when the requester may not see it (the gate's personal fields: who sees which, in wudu/scope.py)."


class VersionedInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version the client read; a stale one answers 409."
    )


def if_match_version(request) -> int | None:
    raw = request.headers.get("If-Match", "").strip()
    if not raw:
        return None
    raw = raw.removeprefix("W/").strip('"')
    if not raw.isdigit():
        raise serializers.ValidationError({"version": [_('If-Match 请求头应为记录的版本号，例如 "3"。')]})
    return int(raw)


class GateAllowsChange(permissions.BasePermission):
    """A write to an object the user sees but may not change is refused (403) before its input is read.

    The service asks the gate again; this only makes the answer not depend on the body.
    """

    def has_object_permission(self, request, view, obj):
        return request.method in permissions.SAFE_METHODS or scope.can_change(request.user, obj, view.scope_resource)


class ErrorSerializer(serializers.Serializer):
    """Every error but a validation error: `{"detail": "…"}`, with a `code` where the client can act on it."""

    detail = serializers.CharField(help_text="A message for people, in the request's language.")
    code = serializers.CharField(required=False, help_text="conflict, too_large, locked_out … where one is given.")


class ValidationErrorSerializer(serializers.Serializer):
    """A 400's body (documentation only: `VALIDATION_ERROR_SCHEMA` is its schema)."""


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Invalid input or a broken rule: `{field: [messages]}`; messages that name no field under "
                   "`detail` (a rule of the service, a malformed body) or `non_field_errors`. A list field's "
                   "messages are keyed by position.",
    "properties": {
        "detail": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {"oneOf": [
        {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
        {"type": "object"},
    ]},
}


class ValidationErrorSchema(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        return VALIDATION_ERROR_SCHEMA


VALIDATION_ERROR = OpenApiResponse(ValidationErrorSerializer, description=VALIDATION_ERROR_SCHEMA["description"])
ERROR_DESCRIPTIONS = {
    400: "Invalid input or a broken rule.",
    401: "Not signed in: no token, or one that is unknown or expired.",
    403: "Visible, but the user may not do this here.",
    404: "Missing, or not visible to the user.",
    409: "Changed by someone else since `version` was read: nothing was saved; reload.",
    413: "The body is larger than the server accepts (code `too_large`).",
    415: "A Content-Type the operation does not read.",
    429: "Too many requests (throttled, or locked out after wrong passwords): wait `Retry-After` seconds.",
}
ERRORS = {code: OpenApiResponse(VALIDATION_ERROR.response if code == 400 else ErrorSerializer, description=text)
          for code, text in ERROR_DESCRIPTIONS.items()}
ERROR_HEADERS = {
    401: {"WWW-Authenticate": {"required": True, "schema": {"type": "string"},
                               "description": "The scheme to sign in with (`Token`)."}},
    429: {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait, when known."}},
}
PAGE_PARAMETERS = {"cursor", "page_size"}  # a bad value of these is no 400 (page_size falls back to the default)


class ServiceSchema(AutoSchema):
    """The schema of every API operation (DEFAULT_SCHEMA_CLASS): a write's input serializer, its headers
    (Idempotency-Key on create, If-Match on update), and every error it can answer, derived from what the
    operation is rather than declared endpoint by endpoint:

    - 400 (`ValidationError`) for a body (even an empty one is parsed), a filter or query field, or If-Match;
    - 401 wherever an authenticator runs (a missing or bad token), 403 for a write that needs a signed-in user;
    - 404 for a path naming one object, and for a paginated list (a cursor it did not give);
    - 409 for a versioned write (a `version` in the body, or If-Match); 413 and 415 for a body;
    - 429 wherever a throttle runs.

    Errors an operation declares itself (`extend_schema(responses=...)`) keep their description and take the
    standard body. Output fields say what the model really holds: a field reading a nullable column or through
    a nullable relation is nullable, a choice of a column that may be blank admits "" (see `answers_empty`).
    """

    def get_request_serializer(self):
        inputs = {"create": "create_input", "partial_update": "update_input"}
        name = inputs.get(getattr(self.view, "action", None))
        return getattr(self.view, name) if name and hasattr(self.view, name) else super().get_request_serializer()

    def get_override_parameters(self):
        action = getattr(self.view, "action", None)
        extra = {"create": [IDEMPOTENCY_KEY], "partial_update": [IF_MATCH]}.get(action, [])
        return [*super().get_override_parameters(), *extra]

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            responses = operation["responses"]
            for code in sorted({*self.error_codes(operation), *(int(c) for c in responses if c.startswith("4"))}):
                declared = responses.get(str(code), {}).get("description")
                response = ERRORS.get(code) or OpenApiResponse(ErrorSerializer, description="")
                description = declared or self.error_description(code, operation) or response.description
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(response.response, description=description), str(code))
                if code in ERROR_HEADERS:
                    responses[str(code)]["headers"] = ERROR_HEADERS[code]
            operation["responses"] = dict(sorted(responses.items()))
        return operation

    def error_codes(self, operation) -> set[int]:
        parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        names = {name for _where, name in parameters}
        write = self.method not in permissions.SAFE_METHODS
        codes = set()
        if self.method in ("POST", "PUT", "PATCH") or ("header", "If-Match") in parameters or any(
                where == "query" and name not in PAGE_PARAMETERS for where, name in parameters):
            codes.add(400)
        if "requestBody" in operation:
            codes |= {413, 415}
        if self.view.get_authenticators():
            codes.add(401)
            if write and {} not in operation.get("security", [{}]):
                codes.add(403)
        if any(where == "path" for where, _name in parameters) or "cursor" in names:
            codes.add(404)
        if write and (("header", "If-Match") in parameters or self.versioned_input()):
            codes.add(409)
        if self.view.get_throttles():
            codes.add(429)
        return codes

    def error_description(self, code: int, operation) -> str | None:
        names = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        if code == 404 and ("query", "cursor") in names:
            one = any(where == "path" for where, _name in names)
            return ("Missing, or not visible to the user; or " if one else "") + "a `cursor` this list did not give."
        return None

    def versioned_input(self) -> bool:
        request = force_instance(self.get_request_serializer())
        version = request.fields.get("version") if isinstance(request, serializers.Serializer) else None
        return version is not None and not version.read_only

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and answers_empty(field)[0]:
            meta["nullable"] = True
        return meta

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction == "response" and schema and "enum" in schema:
            null, blank = answers_empty(field)
            extra = [value for value, wanted in (("", blank), (None, null)) if wanted and value not in schema["enum"]]
            schema = {**schema, "enum": [*schema["enum"], *extra]} if extra else schema
        return schema


def answers_empty(field) -> tuple[bool, bool]:
    """(may be null, may be "") for an output field read from a model: null when the column is nullable or the
    field reads through a nullable relation with None as its default; "" when the column may be blank."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or field.source == "*" or not getattr(field, "source_attrs", None):
        return field.allow_null, False
    null = blank = False
    attrs = field.source_attrs
    for position, attr in enumerate(attrs):
        try:
            model_field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            break  # a property or method: its type hint or the field's declaration says
        last = position == len(attrs) - 1
        if model_field.many_to_many or model_field.one_to_many:
            break
        if last:
            null = model_field.null
            blank = model_field.blank and isinstance(model_field, (models.CharField, models.TextField))
        elif model_field.null:
            # A None on the way: DRF answers the field's default (None is null), or leaves the key out.
            null = field.default is None
            break
        model = model_field.related_model
        if model is None:
            break
    return field.allow_null or null, (getattr(field, "allow_blank", False) or blank)


# For the viewsets of the big lists (visits, cases): the same JSON as DRF's renderer, written by orjson. Not the
# default of every endpoint: DRF's encoder also writes values that orjson writes otherwise or not at all (a bare
# datetime to the millisecond, a timedelta); these two answer only what their serializers wrote.
LEAN_RENDERERS = [ORJSONRenderer, BrowsableAPIRenderer]


class ApiViewSet(ScopedViewSet):
    """Gated reads (retrieve here, list from ListModelMixin) with one output serializer for lists and one for
    single objects; versioned objects carry their version as the ETag."""

    permission_classes = [permissions.IsAuthenticated, PasswordIsCurrent, GateAllowsChange]
    schema = ServiceSchema()
    list_output: type[serializers.Serializer]
    detail_output: type[serializers.Serializer]

    def get_serializer_class(self):
        return self.list_output if self.action == "list" else self.detail_output

    # A viewset whose retrieve opens a record of personal data (a person, a household, a party member) sets this:
    # each retrieve is an access event (`personal_read`); `reads_personal(obj)` may narrow it to some records.
    personal_read = False

    def reads_personal(self, obj) -> bool:
        return self.personal_read

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        if self.reads_personal(obj):
            record_personal_read(request, f"{obj._meta.label}:{obj.pk}")
        return self.answer(obj)

    def answer(self, obj, status_code: int = status.HTTP_200_OK) -> Response:
        version = getattr(obj, "version", None)
        headers = {"ETag": f'"{version}"'} if version is not None else None
        return Response(self.get_serializer(obj).data, status=status_code, headers=headers)


class ServiceWrites:
    """Create (POST) and partial update (PATCH) through a service.

    Subclasses name their input serializers and implement `create_through_service` and
    `update_through_service`; both receive validated input and return the saved object.
    """

    create_input: type[serializers.Serializer]
    update_input: type[serializers.Serializer]

    def create(self, request, *args, **kwargs):
        data = self.read_input(self.create_input)
        key = request.headers.get("Idempotency-Key") or None
        return self.answer(self.create_through_service(data, idempotency_key=key), status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()  # gated: invisible → 404, not writable → 403
        data = self.read_input(self.update_input, partial=True)
        version = data.pop("version", None)
        if version is None:
            version = if_match_version(request)
        return self.answer(self.update_through_service(obj, data, expected_version=version))

    def read_input(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


# ---------------------------------------------------------------------------------------------- token


class LockedOut(exceptions.APIException):
    """django-axes locked the account: 429, with Retry-After when the lock cools off by itself."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        cool_off = get_cool_off()
        if cool_off:
            self.wait = int(cool_off.total_seconds())
            message = _("密码连续输错次数过多，账号已暂时锁定。请 %(minutes)d 分钟后再试，或联系系统管理员解锁。") % {
                "minutes": max(1, self.wait // 60)
            }
        else:
            message = _("密码连续输错次数过多，账号已锁定，请联系系统管理员解锁。")
        super().__init__(message)


class BackingOff(exceptions.APIException):
    """Too many recent failures for this username from anywhere: wait a few seconds (wudu/auth.py), 429."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "backing_off"

    def __init__(self, seconds: int):
        self.wait = seconds
        super().__init__(_("该账号近期多次登录失败，为防止密码被猜测，请 %(seconds)d 秒后再试。") % {"seconds": seconds})


class TokenInput(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"))
    password = serializers.CharField(label=_("密码"), trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        label=_("动态验证码"), required=False, allow_blank=True, max_length=16,
        help_text="A current code of the person's authenticator app (or an unused recovery code). Required when the "
                  "account has a second factor, and for every account when two factors are required.",
    )

    def validate(self, attrs):
        request = self.context["request"]
        # django-axes watches this call: it needs the request, and flags it once the account is locked out.
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            if getattr(request, "wudu_backoff", 0):
                raise BackingOff(request.wudu_backoff)
            raise serializers.ValidationError(_("用户名或密码不正确。"), code="authorization")
        if tokens.second_factor_required(user):
            self.check_second_factor(request, user, attrs["username"], attrs.get("otp", ""))
        attrs["user"] = user
        return attrs

    @staticmethod
    def check_second_factor(request, user, username: str, code: str) -> None:
        if not tokens.has_second_factor(user):
            raise serializers.ValidationError(
                {"otp": [_("该账号须使用双因素认证，但尚未绑定身份验证器：请先在网页上登录并完成绑定。")]}, code="otp_unset"
            )
        if not code.strip():
            raise serializers.ValidationError(
                {"otp": [_("请填写动态验证码（身份验证器应用中的 6 位数字）。")]}, code="otp_required"
            )
        if not tokens.second_factor_matches(user, code):
            # A wrong code counts as a failed sign-in: the same lockout and back-off as a wrong password.
            user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
            if getattr(request, "axes_locked_out", False):
                raise LockedOut()
            raise serializers.ValidationError({"otp": [_("动态验证码不正确或已过期。")]}, code="otp_invalid")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`. Shown once: only its digest is kept.")
    expiry = serializers.DateTimeField(help_text="When the token stops working; rotate it before, or sign in again.")


class TokenSummary(serializers.Serializer):
    token_key = serializers.CharField(help_text="The first characters of the token, to tell the devices apart.")
    created = serializers.DateTimeField(help_text="When the person signed in for this token (kept across rotations).")
    expiry = serializers.DateTimeField()
    current = serializers.BooleanField(help_text="The token this request was made with.")


class RevokedOutput(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="How many tokens were revoked.")


NOT_AUTHENTICATED = OpenApiResponse(
    ErrorSerializer, description="No token, or one that is unknown, expired, revoked, or of a deactivated person."
)


class HoldsToken(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, tokens.AuthToken)


class PresentedToken:
    """Views about the token presented with the request: only token authentication counts (a web session has none)."""

    authentication_classes = [tokens.TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, HoldsToken]


class TokenView(PresentedToken, APIView):
    """POST exchanges a username and password (and a one-time code where the account has a second factor) for a
    new API token, one per device; send it as `Authorization: Token <token>`. DELETE revokes the token presented.

    Five wrong passwords for one username from one address lock it for the cool-off time (429).
    """

    def get_authenticators(self):
        # Signing in reads only the body: a stale token the app still sends must not make it fail.
        signing_in = getattr(self.request, "method", None) == "POST"  # no request yet while the schema is built
        return [] if signing_in else super().get_authenticators()

    def get_permissions(self):
        return [permissions.AllowAny()] if self.request.method == "POST" else super().get_permissions()

    @extend_schema(
        request=TokenInput,
        responses={
            200: TokenOutput,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Wrong username or password ({non_field_errors: [message]}), a missing field, or a "
                            "missing or wrong one-time code ({otp: [message]}).",
            ),
            429: OpenApiResponse(ErrorSerializer, description="Locked out after repeated wrong passwords or codes, "
                                                              "or backing off (Retry-After)."),
        },
        auth=[], tags=["auth"], operation_id="auth_token_create",
        description="Exchange a username and password (and `otp`, a current one-time code, where the account has a "
                    "second factor) for a new API token: one per device, valid until `expiry`. Send it as "
                    "`Authorization: Token <token>`. Five wrong passwords or codes for one username from one address "
                    "lock it for the cool-off time (429).",
    )
    def post(self, request):
        serializer = TokenInput(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        # As a web login does: last_login, axes' access log and its reset of the failure count.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, key = tokens.token_issue(actor=user, request=request)
        return Response(TokenOutput({"token": key, "expiry": token.expiry}).data)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Revoked: the token no longer works."), 401: NOT_AUTHENTICATED},
        tags=["auth"], operation_id="auth_token_revoke",
        description="Revoke the token this request is made with (the app signs out); the person's other tokens "
                    "keep working.",
    )
    def delete(self, request):
        try:
            tokens.token_revoke(actor=request.user, token=request.auth, request=request)
        except tokens.TokenGone:
            raise exceptions.AuthenticationFailed() from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenRotateView(PresentedToken, PasswordGate, APIView):
    """A new token in place of the one presented, which stops working at once; the new one has a full lifetime, but
    not past API_TOKEN_MAX_LIFETIME_DAYS after the sign-in it comes from (then 401: sign in again)."""

    @extend_schema(request=None, responses={200: TokenOutput, 401: OpenApiResponse(
        ErrorSerializer, description="No token, or one that is unknown, expired or revoked; or its sign-in is "
                                     "older than the absolute limit (code `signin_required`): sign in again.")},
        tags=["auth"])
    def post(self, request):
        try:
            token, key = tokens.token_rotate(actor=request.user, token=request.auth, request=request)
        except tokens.TokenGone:
            raise exceptions.AuthenticationFailed() from None
        except tokens.TokenTooOld:
            raise exceptions.AuthenticationFailed(
                _("登录已超过 %(days)d 天，令牌不能再续期：请重新登录。") % {"days": settings.API_TOKEN_MAX_LIFETIME_DAYS},
                code="signin_required") from None
        return Response(TokenOutput({"token": key, "expiry": token.expiry}).data)


class TokenListView(APIView):
    """The person's own API tokens (one per device): list them, or revoke them all ("sign every app out").

    Also with a web session, so a person can revoke a lost phone's token from a browser.
    """

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: TokenSummary(many=True), 401: NOT_AUTHENTICATED}, tags=["auth"])
    def get(self, request):
        current = getattr(request.auth, "digest", None)
        rows = tokens.tokens_of(request.user)
        return Response(TokenSummary(
            [{"token_key": t.token_key, "created": t.created, "expiry": t.expiry, "current": t.digest == current}
             for t in rows], many=True,
        ).data)

    @extend_schema(request=None, responses={200: RevokedOutput, 401: NOT_AUTHENTICATED}, tags=["auth"])
    def delete(self, request):
        return Response({"revoked": tokens.token_revoke_all(actor=request.user, request=request)})
