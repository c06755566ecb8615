"""Orders API: list/create/read/edit orders, their state actions, timeline, matches and responses.

Thin by design: every object comes through `visible_to` / `editable_by` (outside scope ⇒ 404), every change
goes through a function of `matchmaking.services`, and a `WorkflowError` becomes 400/403/409 via
`errors.from_service_error`. Serializers only parse input and shape output.
"""

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import Scope
from core.errors import Conflict, error_responses, from_service_error
from core.filters import StrictFilterBackend
from core.pagination import RowValues
from matchmaking import beneficiaries, policy, services, workflow
from matchmaking.api.serializers import (
    ORDER_ROW_VALUES,
    ClaimSerializer,
    DeclineSerializer,
    EventSerializer,
    FirmOutcomesSerializer,
    MatchSerializer,
    NoteSerializer,
    OptionalReasonSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    OrderWriteSerializer,
    ProposalSerializer,
    ReasonSerializer,
    ResolveSerializer,
    RespondSerializer,
)
from matchmaking.filtersets import PAGE_ONLY, SEARCH_FIELDS, OrderFilterSet
from matchmaking.models import COUNTY_EDITABLE, Order, Proposal
from matchmaking.throttling import OrderCreationThrottle
from matchmaking.workflow import WorkflowError

# The list's query parameters whose SQL depends on their value alone (no clock, no lookup, no free text): a list
# asked with these only is counted and read from SQL compiled once (`OrderViewSet._compiled_list_key`).
COMPILED_FILTERS = frozenset({"state", "kind"})
COMPILED_LIST_PARAMETERS = COMPILED_FILTERS | {"page", "page_size"}


def call(service, *args, **kwargs):
    """Run a service function, turning its WorkflowError into the API's error for it."""
    try:
        return service(*args, **kwargs)
    except WorkflowError as exc:
        raise from_service_error(exc) from exc


# --- viewsets ------------------------------------------------------------------------------------


def _detail(status_code=200, *extra):
    return {status_code: OrderDetailSerializer, **error_responses(400, 401, 403, 404, 409, *extra)}


def _action_schema(summary, request=None, description=""):
    return extend_schema(summary=summary, description=description, request=request, responses=_detail())


@extend_schema_view(
    list=extend_schema(
        summary="需求列表（本人可见范围内）",
        responses={200: OrderSerializer(many=True), **error_responses(400, 401, 404)},
        # The list pages' own aliases of the same filterset (q, 万元 amounts, ...) are not part of the API.
        parameters=[OpenApiParameter(name, exclude=True) for name in PAGE_ONLY],
    ),
    retrieve=extend_schema(
        summary="需求详情", responses={200: OrderDetailSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="开单：创建需求草稿（县域）",
        description="县域从其组织确定，不可由客户端指定；状态总是草稿。",
        request=OrderWriteSerializer,
        responses={201: OrderDetailSerializer, **error_responses(400, 401, 403, 429)},
    ),
    partial_update=extend_schema(
        summary="修改需求（县域，仅草稿或退回修改状态）",
        request=OrderWriteSerializer,
        responses=_detail(),
    ),
)
class OrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """需求：列表、详情、开单、修改与状态操作。"""

    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    filter_backends = [
        StrictFilterBackend,
        filters.SearchFilter,
        filters.OrderingFilter,
    ]
    search_fields = list(SEARCH_FIELDS)
    ordering_fields = ["created_at", "updated_at", "due_date", "amount_yuan", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # The list reads its rows as values (`ORDER_ROW_VALUES`, the same joins), the handlers afterwards.
        queryset = Order.objects.visible_to(self.request.user)
        if self.action == "list":
            return queryset
        # What the serializer reads. PostgreSQL's planning time grows steeply with each joined table (all
        # seven: 16 ms, more than the query runs): the prefecture is read as county.prefecture_id (no join),
        # the handlers come in a second small query (6 tables: 2.6 ms). One order: its outcome in the same
        # query (the detail shows it when the read policy allows).
        return queryset.select_related(
            "county", "chain__chain_type", "claimed_by_body", "link", "outcome"
        ).prefetch_related("handler")

    def get_serializer_class(self):
        if self.action == "list":
            return OrderSerializer
        return OrderDetailSerializer

    def get_serializer(self, *args, **kwargs):
        if kwargs.get("many") and args and self.action == "list":
            # The read policy decided for this page's orders at once (at most one query), not per order.
            kwargs.setdefault("context", self.get_serializer_context())
            ids = [row["id"] if isinstance(row, dict) else row.pk for row in args[0]]
            kwargs["context"]["read_policies"] = policy.for_orders(self.request.user, ids)
        return super().get_serializer(*args, **kwargs)

    def list(self, request, *args, **kwargs):
        # The rows as plain values in one query (`ORDER_ROW_VALUES`), shaped by the list serializer; the
        # handlers are read afterwards, only those the viewer may see.
        key = self._compiled_list_key()
        if key is None:
            rows = RowValues(self.filter_queryset(self.get_queryset()), ORDER_ROW_VALUES)
        else:
            build = lambda: self.filter_queryset(self.get_queryset())  # noqa: E731 - built only when compiled
            rows = RowValues(build, ORDER_ROW_VALUES, compiled_key=key)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(rows[:], many=True).data)

    def _compiled_list_key(self):
        """The key of this list's count and pages compiled once (`core.compiledsql`), or None: only when every
        query parameter is one whose SQL is a function of its value alone (choice filters and the page), with
        the viewer's scope, which the visibility of orders is a function of (`visibility_is_pure`). The list's
        ordering is the view's default then. A bad value fails while building, so is never remembered."""
        params = self.request.query_params
        if not COMPILED_LIST_PARAMETERS.issuperset(params) or not Order.objects.all().visibility_is_pure:
            return None
        filters_ = tuple((name, tuple(values)) for name, values in params.lists() if name in COMPILED_FILTERS)
        # Order.visibility_q reads the scope's organisation, county, city, body and handled kinds, never the
        # user: the users of one organisation share the SQL.
        return ("api order list", replace(self._scope(), user_id=None), filters_)

    def get_throttles(self):
        if self.action == "create":
            return [OrderCreationThrottle()]  # the same counter as the web order form
        return super().get_throttles()

    # helpers

    def _scope(self) -> Scope:
        return Scope.for_user(self.request.user)

    def _parse(self, serializer_class, **kwargs) -> dict:
        parsed = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data

    def _fresh(self, order, status_code=status.HTTP_200_OK) -> Response:
        order = (
            Order.objects.with_list_relations().select_related("link", "handler", "outcome").get(pk=order.pk)
        )
        data = OrderDetailSerializer(order, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def _require_actor(self, order, action_name: str) -> None:
        """403 when the caller's role may never perform this action on this (visible) order."""
        transition = workflow.TRANSITIONS[action_name]
        scope = self._scope()
        if not any(workflow.actor_may(role, scope, order) for role in transition.actors):
            raise exceptions.PermissionDenied(
                _("您无权对该需求执行“%(action)s”。") % {"action": workflow.ACTION_LABELS[action_name]},
                code="permission_denied",
            )

    # create / edit

    def create(self, request, *args, **kwargs):
        if not self._scope().is_county:
            raise exceptions.PermissionDenied(_("只有县域官员可以开单。"), code="permission_denied")
        data = self._parse(OrderWriteSerializer)
        firms = data.pop("beneficiaries", None)
        order = call(services.create_order, by=request.user, data=data, beneficiaries=firms)
        return self._fresh(order, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        order = self.get_object()
        if not Order.objects.editable_by(request.user).filter(pk=order.pk).exists():
            scope = self._scope()
            if workflow.actor_may(workflow.COUNTY, scope, order) and order.state not in COUNTY_EDITABLE:
                raise Conflict(
                    _("需求当前状态为“%(state)s”，只有草稿或退回修改的需求可以修改。")
                    % {"state": order.get_state_display()},
                    code="illegal_transition",
                )
            raise exceptions.PermissionDenied(_("您无权修改该需求。"), code="permission_denied")
        data = self._parse(OrderWriteSerializer, partial=True)
        firms = data.pop("beneficiaries", None)
        order = call(services.update_order, order, by=request.user, data=data, beneficiaries=firms)
        return self._fresh(order)

    # state actions

    @_action_schema("提交审核（县域）")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "submit")
        return self._fresh(call(services.submit_order, order, by=request.user))

    @_action_schema("审核通过并发布（管理员）", NoteSerializer, "发布后分派至承接该类型需求的省级部门。")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "approve")
        data = self._parse(NoteSerializer)
        return self._fresh(call(services.approve_order, order, by=request.user, note=data["note"]))

    @_action_schema("退回修改（管理员）", ReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "return")
        data = self._parse(ReasonSerializer)
        return self._fresh(call(services.return_order, order, by=request.user, reason=data["reason"]))

    @_action_schema("不予受理（管理员）", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "reject")
        data = self._parse(ReasonSerializer)
        return self._fresh(call(services.reject_order, order, by=request.user, reason=data["reason"]))

    @_action_schema("撤回（县域或管理员）", OptionalReasonSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "withdraw")
        data = self._parse(OptionalReasonSerializer)
        return self._fresh(call(services.withdraw_order, order, by=request.user, reason=data["reason"]))

    @_action_schema(
        "接单（被分派的省级部门）",
        ClaimSerializer,
        "两个部门同时接单时只有一个成功，另一个得到 409（code=claim_conflict 或 illegal_transition）。",
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "claim")
        data = self._parse(ClaimSerializer)
        handler = None
        if data["handler"]:
            handler = (
                get_user_model()
                .objects.filter(
                    username=data["handler"],
                    organization_id=request.user.organization_id,
                    is_active=True,
                )
                .first()
            )
            if handler is None:
                raise exceptions.ValidationError({"handler": [_("承办人须为本部门的在岗人员（用户名）。")]})
        return self._fresh(call(services.claim_order, order, by=request.user, handler=handler))

    @_action_schema("办结：登记闭环成果（接单部门或管理员）", ResolveSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "resolve")
        data = self._parse(ResolveSerializer)
        return self._fresh(
            call(
                services.resolve_order,
                order,
                by=request.user,
                outcome_type=data["outcome_type"],
                summary=data["summary"],
                amount_yuan=data.get("amount_yuan"),
                partner=data["partner"],
                date=data.get("date"),
            )
        )

    @_action_schema("登记各受益企业的对接成果（接单部门或管理员；对接中或已解决）", FirmOutcomesSerializer)
    @action(detail=True, methods=["post"], url_path="firm-outcomes")
    def firm_outcomes(self, request, pk=None):
        order = self.get_object()
        data = self._parse(FirmOutcomesSerializer)
        call(beneficiaries.record_firm_outcomes, order, by=request.user, splits=data.get("splits", []))
        return self._fresh(order)

    @_action_schema("未解决关闭（接单部门或管理员）", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        order = self.get_object()
        self._require_actor(order, "close")
        data = self._parse(ReasonSerializer)
        return self._fresh(call(services.close_order, order, by=request.user, reason=data["reason"]))

    # sub-resources

    @extend_schema(
        summary="需求时间线",
        description="政府用户和管理员看到全部记录；资源方只看到发布后的状态变化（不含说明、操作人和组织）。",
        responses={200: EventSerializer(many=True), **error_responses(401, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def events(self, request, pk=None):
        order = self.get_object()
        entries = policy.for_order(request.user, order).timeline()
        return Response(EventSerializer(entries, many=True).data)

    @extend_schema(
        summary="匹配结果（按匹配度排名，含理由）",
        description="开单县域、所属设区市、被分派和接单的省级部门及管理员可见；资源方无权查看（403）。",
        responses={200: MatchSerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def matches(self, request, pk=None):
        order = self.get_object()
        read = policy.for_order(request.user, order)
        if not read.matches:
            raise exceptions.PermissionDenied(_("资源方无权查看匹配结果。"), code="permission_denied")
        return Response(MatchSerializer(read.match_rows().order_by("rank"), many=True).data)

    @extend_schema(
        methods=["GET"],
        summary="需求的响应列表",
        description="政府用户和管理员看到全部响应；资源方只看到本单位的响应。",
        responses={200: ProposalSerializer(many=True), **error_responses(401, 404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="响应需求（资源方）",
        request=RespondSerializer,
        responses={201: ProposalSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def responses(self, request, pk=None):
        order = self.get_object()
        if request.method == "POST":
            if not self._scope().is_provider:
                raise exceptions.PermissionDenied(_("只有资源方可以响应需求。"), code="permission_denied")
            data = self._parse(RespondSerializer)
            created = call(services.respond, order, by=request.user, **data)
            created = Proposal.objects.select_related("provider_org", "author").get(pk=created.pk)
            return Response(ProposalSerializer(created).data, status=status.HTTP_201_CREATED)
        queryset = (
            policy.for_order(request.user, order)
            .responses()
            .select_related("provider_org", "author")
            .prefetch_related("attachments")
            .order_by("-created_at", "-pk")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ProposalSerializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="响应详情", responses={200: ProposalSerializer, **error_responses(401, 404)}
    ),
)
class ProposalViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """响应：详情，县域接受或不予采纳。"""

    serializer_class = ProposalSerializer
    filter_backends = []

    def get_queryset(self):
        # `visible_to` agrees with the read policy: a provider finds its own responses, government viewers
        # those on the orders they see; a readable response shows all of its attachments.
        return (
            Proposal.objects.visible_to(self.request.user)
            .select_related("provider_org", "author", "order")
            .prefetch_related("attachments")
        )

    def _decidable(self):
        response = self.get_object()
        if not Proposal.objects.editable_by(self.request.user).filter(pk=response.pk).exists():
            raise exceptions.PermissionDenied(_("只有开单县域可以处理响应。"), code="permission_denied")
        return response

    def _parse(self, serializer_class) -> dict:
        parsed = serializer_class(data=self.request.data)
        parsed.is_valid(raise_exception=True)
        return parsed.validated_data

    def _fresh(self, response) -> Response:
        return Response(ProposalSerializer(self.get_queryset().get(pk=response.pk)).data)

    @extend_schema(
        summary="接受响应（开单县域）",
        description="首次接受使已接单的需求进入对接中。",
        request=NoteSerializer,
        responses={200: ProposalSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        response = self._decidable()
        data = self._parse(NoteSerializer)
        return self._fresh(call(services.accept_proposal, response, by=request.user, note=data["note"]))

    @extend_schema(
        summary="不予采纳响应（开单县域）",
        request=DeclineSerializer,
        responses={200: ProposalSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        response = self._decidable()
        data = self._parse(DeclineSerializer)
        return self._fresh(
            call(
                services.decline_proposal,
                response,
                by=request.user,
                reason_category=data["reason_category"],
                note=data["note"],
            )
        )
