"""REST API of the development index (mounted at /api/v1/development-index/): thin views over the ranking
reader, the policy and the services; errors in the project's one error shape."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import Scope
from core.errors import error_responses
from core.filters import StrictFilterBackend as DjangoFilterBackend
from devindex import ranking, services, tiers, workflow
from devindex.api import serializers as s
from devindex.filtersets import ReportFilter, ResultFilter, ValueFilter
from devindex.models import Indicator, IndicatorReport, IndicatorValue, MethodVersion


@extend_schema_view(
    list=extend_schema(
        summary="发展指数：各县域得分与排名",
        description=(
            "每个县域一行（`source` 不填时平台计算与白皮书公布两种来源各一行）。`year` 不填时为有结果的最近年度。"
            "`dimensions` 为五个维度的得分与排名，白皮书未公布或未参与排名时为 null；`tiers` 为该县域的层级代码。"
            "资源方只能读取白皮书公布的结果。"
        ),
        parameters=[
            OpenApiParameter("year", int, description="年度，如 2025"),
            OpenApiParameter("source", str, enum=["published", "computed"], description="来源"),
        ],
        responses={200: s.IndexResultSerializer(many=True), **error_responses(400, 401, 404)},
    )
)
class IndexResultViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """发展指数结果。"""

    serializer_class = s.IndexResultSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ResultFilter

    def get_queryset(self):
        user = self.request.user
        queryset = ranking.ordered(ranking.results(user, None))
        if "year" not in self.request.query_params:
            year = ranking.pick_year(user, None)
            queryset = queryset.filter(year=year) if year else queryset.none()
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["dimensions"] = ranking.dimensions()
        year = self.request.query_params.get("year")
        try:
            year = int(year) if year else ranking.pick_year(self.request.user, None)
        except ValueError:
            year = None
        context["tiers"] = tiers.by_county(year) if year else {}
        return context


@extend_schema_view(
    list=extend_schema(
        summary="发展指数：指标体系",
        description="五个维度、16 项指标，含单位、方向和当前方法版本的权重（维度内指标权重、维度权重）。",
        responses={200: s.IndicatorSerializer(many=True), **error_responses(401, 404)},
    )
)
class IndicatorViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """指标体系。"""

    serializer_class = s.IndicatorSerializer
    filter_backends = []

    def get_queryset(self):
        return Indicator.objects.visible_to(self.request.user).select_related("dimension")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "method_version": MethodVersion.current()}


def _value_queryset(user):
    return IndicatorValue.objects.visible_to(user).select_related("report__county", "indicator")


@extend_schema_view(
    list=extend_schema(
        summary="发展指数：年度指标值",
        description="县域读取本县全部填报和各县已审核的数值；设区市另可读取所辖县域已提交的数值；省级部门读取已审核的数值。",
        responses={200: s.ValueSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="指标值详情", responses={200: s.ValueSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="填报一项指标值（县域：本县；管理员：须指定县域）",
        description="该县域该年度的填报不存在时自动创建（填报中）；县域只能在填报中或已退回时修改，`value` 为 null 表示未填报。",
        request=s.ValueWriteSerializer,
        responses={201: s.ValueSerializer, **error_responses(400, 401, 403, 409)},
    ),
    partial_update=extend_schema(
        summary="修改一项指标值",
        request=s.ValuePatchSerializer,
        responses={200: s.ValueSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
)
class ValueViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """年度指标值。"""

    serializer_class = s.ValueSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ValueFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return _value_queryset(self.request.user).order_by(
            "-report__year", "report__county__prefecture__position", "report__county__position",
            "indicator__dimension__position", "indicator__position",
        )  # fmt: skip

    def _respond(self, report, code: str, status_code=status.HTTP_200_OK) -> Response:
        row = _value_queryset(self.request.user).get(report=report, indicator__code=code)
        return Response(
            s.ValueSerializer(row, context=self.get_serializer_context()).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        parsed = s.ValueWriteSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        scope = Scope.for_user(request.user)
        county = data.get("county")
        if scope.is_county:
            county = county or request.user.organization.county
        elif not scope.is_admin:
            raise exceptions.PermissionDenied(_("只有县域可以填报本县域的指标。"), code="permission_denied")
        elif county is None:
            raise exceptions.ValidationError({"county": [_("请指定县域。")]})
        code = data["indicator"].code
        report = services.save_values(county, data["year"], {code: data["value"]}, by=request.user)
        return self._respond(report, code, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        parsed = s.ValuePatchSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        report = services.save_values(
            row.report.county,
            row.report.year,
            {row.indicator.code: parsed.validated_data["value"]},
            by=request.user,
        )
        return self._respond(report, row.indicator.code)


def _action_schema(summary, request=None):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: s.ReportSerializer, **error_responses(400, 401, 403, 404, 409)},
    )


@extend_schema_view(
    list=extend_schema(
        summary="发展指数：县域年度填报",
        responses={200: s.ReportSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="填报详情", responses={200: s.ReportSerializer, **error_responses(401, 404)}
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """县域年度填报与审核（县域提交，设区市审核）。"""

    serializer_class = s.ReportSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReportFilter

    def get_queryset(self):
        return (
            IndicatorReport.objects.visible_to(self.request.user)
            .select_related("county__prefecture")
            .prefetch_related(Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")))
        )

    def _run(self, action_name: str, func, **kwargs) -> Response:
        report = self.get_object()
        transition = workflow.TRANSITIONS[action_name]
        scope = Scope.for_user(self.request.user)
        if not any(workflow.actor_may(role, scope, report) for role in transition.actors):
            raise exceptions.PermissionDenied(
                _("您无权对该填报执行“%(action)s”。") % {"action": workflow.ACTION_LABELS[action_name]},
                code="permission_denied",
            )
        if transition.needs_reason:
            parsed = s.IndexReasonSerializer(data=self.request.data)
            parsed.is_valid(raise_exception=True)
            kwargs["reason"] = parsed.validated_data["reason"]
        func(report, by=self.request.user, **kwargs)
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(fresh).data)

    @_action_schema("提交审核（县域）")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._run("submit", services.submit_report)

    @_action_schema("审核通过（所属设区市、管理员）")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._run("approve", services.approve_report)

    @_action_schema("退回修改（所属设区市、管理员）", s.IndexReasonSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self._run("return", services.return_report)

    @_action_schema("重新打开已审核的填报（管理员）", s.IndexReasonSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._run("reopen", services.reopen_report)
