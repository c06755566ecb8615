"""揭榜挂帅 API (/api/v1/): challenge lists, challenges, sealed bids, reviews, projects, milestones, achievements.

Thin by design: every object comes through `visible_to` (outside scope, a sealed bid, a bid an expert declared a
conflict on ⇒ 404), every change goes through `challenges.services`, what a visible bid shows is
`challenges.policy` (the same as the pages and exports), and a `WorkflowError` becomes 400/403/409 in the
orders API's error shape (a late bid: 409 `deadline_passed`).
"""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scoping import Scope
from challenges import matching, policy, services
from challenges.choices import BidState, UnsuccessfulReason
from challenges.models import (
    Achievement,
    Bid,
    Challenge,
    ChallengeList,
    Milestone,
    Project,
    Review,
)
from core.errors import Conflict, error_responses, from_service_error
from core.errors import ServiceError as WorkflowError
from core.parsers import SafeJSONParser

MAX_AMOUNT = 10**15
ERRORS = error_responses(400, 401, 403, 404, 409)
READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)


class ListFiltersOnly:
    """Filters, search and ordering apply to the list only (not to detail lookups or detail actions)."""

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) != "list":
            return queryset
        return super().filter_queryset(queryset)


def call(service, *args, **kwargs):
    """Run a service, turning its WorkflowError into the API's error (a late bid: 409 deadline_passed)."""
    try:
        return service(*args, **kwargs)
    except WorkflowError as exc:
        if exc.code == "deadline_passed":
            raise Conflict(exc.message, code="deadline_passed") from exc
        raise from_service_error(exc) from exc


def _files(request) -> list:
    return request.FILES.getlist("files") if hasattr(request, "FILES") else []


# --- serializers ---------------------------------------------------------------------------------------
class FileSerializer(serializers.Serializer):
    """An attachment: name, size and the checked download URL."""

    id = serializers.UUIDField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("challenges:file", args=[obj.pk])


class ChallengeListSerializer(serializers.ModelSerializer):
    """榜单; `state_note` (return/close reason) is for the publisher and administrators only."""

    publisher_name = serializers.CharField(source="publisher_org.name", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True, default=None, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    challenges = serializers.SerializerMethodField()

    class Meta:
        model = ChallengeList
        fields = [
            "id", "title", "description", "publisher_org", "publisher_name", "county", "county_name", "state",
            "state_label", "state_note", "is_sample", "submitted_at", "approved_at", "published_at", "closed_at",
            "created_at", "challenges",
        ]  # fmt: skip
        read_only_fields = fields

    def get_challenges(self, obj) -> list[int]:
        return [c.pk for c in obj.challenges.all()]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        scope = Scope.for_user(self.context["request"].user)
        if not (scope.is_admin or scope.org_id == instance.publisher_org_id):
            data["state_note"] = ""
        return data


class ChallengeListWriteSerializer(serializers.Serializer):
    """Input of a list."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ChallengeReasonSerializer(serializers.Serializer):
    """A reason (return, close, cancel, rework)."""

    reason = serializers.CharField(max_length=1000)


class CriterionSerializer(serializers.Serializer):
    """A review criterion and its weight."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=100)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ChallengeSerializer(serializers.ModelSerializer):
    """榜, public fields; `bid_count` only after the deadline (null before: bids are sealed); `orders` the linked
    orders the caller may see."""

    list_title = serializers.CharField(source="list.title", read_only=True)
    publisher_name = serializers.CharField(source="list.publisher_org.name", read_only=True)
    chain_type_code = serializers.CharField(source="chain_type.code", read_only=True)
    chain_type_name = serializers.CharField(source="chain_type.name", read_only=True)
    chain_name = serializers.CharField(source="chain.name", read_only=True, default=None, allow_null=True)
    link_name = serializers.CharField(source="link.name", read_only=True, default=None, allow_null=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)
    bid_count = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()
    eligible_kinds = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Challenge
        fields = [
            "id", "list", "list_title", "publisher_name", "title", "summary", "targets", "acceptance_criteria",
            "keywords", "chain_type", "chain_type_code", "chain_type_name", "chain", "chain_name", "link",
            "link_name", "funding_yuan", "funder", "bid_deadline", "region_scope", "region_prefecture",
            "eligible_kinds", "joint_bids_allowed", "state", "state_label", "state_note", "decided_at",
            "criteria", "bid_count", "orders", "is_sample",
        ]  # fmt: skip
        read_only_fields = fields

    def get_bid_count(self, obj) -> int | None:
        if not obj.deadline_passed():
            return None
        return sum(1 for b in obj.bids.all() if b.state != BidState.WITHDRAWN)

    def get_orders(self, obj) -> list[int]:
        if self.context.get("view") is not None and getattr(self.context["view"], "action", "") == "list":
            return []
        user = self.context["request"].user
        return list(
            policy.ChallengeReadPolicy.of(user, obj).visible_orders(user).values_list("pk", flat=True)
        )


class ChallengeWriteSerializer(serializers.ModelSerializer):
    """Input of a challenge: its list (one the caller may edit), fields, criteria and linked order ids."""

    criteria = CriterionSerializer(many=True)
    orders = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    funding_yuan = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    eligible_kinds = serializers.ListField(child=serializers.CharField(max_length=16), required=False)

    class Meta:
        model = Challenge
        fields = [
            "list", "title", "summary", "targets", "acceptance_criteria", "keywords", "chain_type", "chain", "link",
            "funding_yuan", "funder", "bid_deadline", "region_scope", "region_prefecture", "eligible_kinds",
            "joint_bids_allowed", "criteria", "orders",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["list"].queryset = ChallengeList.objects.editable_by(request.user)


class AwardSerializer(serializers.Serializer):
    """挂帅: the awarded bid ids and the reason; or `no_award` with the reason. `reasons` sets the reason
    category of named unsuccessful bids (default 综合评分排名靠后)."""

    bids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    no_award = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=1000)
    reasons = serializers.DictField(
        child=serializers.ChoiceField(choices=UnsuccessfulReason.choices), required=False
    )


class ExpertSerializer(serializers.Serializer):
    """A panel expert by username."""

    expert = serializers.CharField(max_length=150)


class PartnerSerializer(serializers.Serializer):
    """A consortium partner: a name, optionally a registered organization id, and its role."""

    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    organization = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    role = serializers.CharField(max_length=200, required=False, allow_blank=True)


class BidMilestoneSerializer(serializers.Serializer):
    """A milestone a bid proposes."""

    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    deliverable = serializers.CharField(max_length=300)


class BidWriteSerializer(serializers.Serializer):
    """Input of a bid (attachments: POST multipart `files` to /bids/{id}/attachments/)."""

    lead_name = serializers.CharField(max_length=50)
    lead_title = serializers.CharField(max_length=50, required=False, allow_blank=True)
    team = serializers.CharField(max_length=5000)
    approach = serializers.CharField(max_length=20000)
    budget_yuan = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT)
    partners = PartnerSerializer(many=True, required=False)
    milestones = BidMilestoneSerializer(many=True)


class BidSerializer(serializers.Serializer):
    """揭榜方案 as the caller may read it: bidder and state for all who see it; the content (team, approach,
    budget, partners, milestones, attachments) only for the bidder, the publisher after the deadline and
    experts who declared no conflict; `reason_category` only for the bidder and the publisher."""

    id = serializers.IntegerField()
    challenge = serializers.IntegerField(source="challenge_id")
    challenge_title = serializers.CharField(source="challenge.title")
    bidder_org = serializers.IntegerField(source="bidder_org_id")
    bidder_name = serializers.CharField(source="bidder_org.name")
    state = serializers.ChoiceField(choices=BidState.choices)
    state_label = serializers.CharField(source="get_state_display")
    submitted_at = serializers.DateTimeField()
    reason_category = serializers.CharField(
        required=False, help_text="未中榜原因类别：仅揭榜单位和发榜单位可见"
    )
    my_conflict = serializers.BooleanField(
        required=False, allow_null=True, help_text="评审专家本人的利益冲突声明（未声明为 null）"
    )
    lead_name = serializers.CharField(required=False)
    lead_title = serializers.CharField(required=False)
    team = serializers.CharField(required=False)
    approach = serializers.CharField(required=False)
    budget_yuan = serializers.IntegerField(required=False)
    partners = PartnerSerializer(many=True, required=False)
    milestones = BidMilestoneSerializer(many=True, required=False)
    attachments = FileSerializer(many=True, required=False)

    CONTENT = (
        "lead_name",
        "lead_title",
        "team",
        "approach",
        "budget_yuan",
        "partners",
        "milestones",
        "attachments",
    )

    def to_representation(self, instance):
        policies = self.context.setdefault("bid_policies", {})
        if instance.pk not in policies:
            policies[instance.pk] = policy.BidReadPolicy.of(self.context["request"].user, instance)
        read = policies[instance.pk]
        data = {
            "id": instance.pk,
            "challenge": instance.challenge_id,
            "challenge_title": instance.challenge.title,
            "bidder_org": instance.bidder_org_id,
            "bidder_name": instance.bidder_org.name,
            "state": instance.state,
            "state_label": instance.get_state_display(),
            "submitted_at": serializers.DateTimeField().to_representation(instance.submitted_at),
        }
        if read.reads_reason:
            data["reason_category"] = instance.reason_category
        if read.role == "expert":
            data["my_conflict"] = read.declared
        if read.reads_content:
            data.update(
                lead_name=instance.lead_name,
                lead_title=instance.lead_title,
                team=instance.team,
                approach=instance.approach,
                budget_yuan=instance.budget_yuan,
                partners=[
                    {"name": p.name, "organization": p.organization_id, "role": p.role}
                    for p in instance.partners.all()
                ],
                milestones=[
                    {"title": m.title, "due_date": m.due_date.isoformat(), "deliverable": m.deliverable}
                    for m in instance.milestones.all()
                ],
                attachments=FileSerializer(instance.files.all(), many=True).data,
            )
        return data


class ConflictSerializer(serializers.Serializer):
    """An expert's conflict-of-interest declaration on a bid."""

    has_conflict = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ScoreSerializer(serializers.Serializer):
    """One criterion's score."""

    criterion = serializers.IntegerField(min_value=1)
    criterion_name = serializers.CharField(read_only=True)
    score = serializers.IntegerField(min_value=0, max_value=100)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ReviewSerializer(serializers.ModelSerializer):
    """评审意见: the expert's weighted total and per-criterion scores."""

    expert_name = serializers.CharField(source="expert.display_name", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "bid", "expert", "expert_name", "total", "comment", "scores", "submitted_at"]
        read_only_fields = fields

    def get_scores(self, obj) -> list[dict]:
        return [
            {
                "criterion": s.criterion_id,
                "criterion_name": s.criterion.name,
                "score": s.score,
                "comment": s.comment,
            }
            for s in obj.scores.all()
        ]


class ReviewWriteSerializer(serializers.Serializer):
    """Input of a review: the bid, a score for every criterion, an overall comment."""

    bid = serializers.IntegerField(min_value=1)
    scores = ScoreSerializer(many=True)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class MilestoneReportInSerializer(serializers.Serializer):
    """A milestone progress report (evidence files: multipart `files`)."""

    text = serializers.CharField(max_length=5000)


class ChallengeNoteSerializer(serializers.Serializer):
    """An optional note (milestone or final acceptance)."""

    note = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class MilestoneReportOutSerializer(serializers.Serializer):
    """A report with its evidence."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = FileSerializer(source="files", many=True)


class MilestoneSerializer(serializers.ModelSerializer):
    """项目里程碑 with its reports."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    reports = MilestoneReportOutSerializer(many=True, read_only=True)

    class Meta:
        model = Milestone
        fields = [
            "id", "project", "title", "due_date", "deliverable", "state", "state_label", "overdue", "reported_at",
            "decided_at", "decision_note", "reports",
        ]  # fmt: skip
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class ProjectSerializer(serializers.ModelSerializer):
    """攻关项目 with its milestones."""

    challenge_title = serializers.CharField(source="challenge.title", read_only=True)
    bidder_name = serializers.CharField(source="bid.bidder_org.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = [
            "id", "challenge", "challenge_title", "bid", "bidder_name", "state", "state_label", "acceptance_note",
            "accepted_at", "created_at", "milestones",
        ]  # fmt: skip
        read_only_fields = fields


class AchievementSerializer(serializers.ModelSerializer):
    """科技成果 on the supply list."""

    organization_name = serializers.CharField(source="organization.name", read_only=True)
    maturity_label = serializers.CharField(source="get_maturity_display", read_only=True)

    class Meta:
        model = Achievement
        fields = [
            "id", "organization", "organization_name", "title", "field", "summary", "keywords", "chain_type",
            "maturity", "maturity_label", "ip_kind", "ip_number", "licensing", "licensing_terms", "is_published",
            "is_sample", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id",
            "organization",
            "organization_name",
            "maturity_label",
            "is_sample",
            "updated_at",
        ]


# --- viewsets -------------------------------------------------------------------------------------------
def _bid_queryset(user):
    return (
        Bid.objects.visible_to(user)
        .select_related("challenge__list", "bidder_org")
        .prefetch_related("partners", "milestones", "files")
    )


@extend_schema_view(
    list=extend_schema(responses={200: ChallengeListSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ChallengeListSerializer, **READ_ERRORS}),
    create=extend_schema(
        request=ChallengeListWriteSerializer, responses={201: ChallengeListSerializer, **ERRORS}
    ),
)
class ChallengeListViewSet(
    ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """榜单：列表、详情、新建与状态操作（submit、approve、return、publish、close）。"""

    serializer_class = ChallengeListSerializer
    search_fields = ["title", "description"]
    ordering_fields = ["published_at", "created_at", "id"]
    ordering = ["-id"]
    filterset_fields = ["state"]

    def get_queryset(self):
        return (
            ChallengeList.objects.visible_to(self.request.user)
            .select_related("publisher_org", "county")
            .prefetch_related(Prefetch("challenges", queryset=Challenge.objects.only("pk", "list_id")))
        )

    def _out(self, lst, code=status.HTTP_200_OK):
        return Response(
            ChallengeListSerializer(
                self.get_queryset().get(pk=lst.pk), context=self.get_serializer_context()
            ).data,
            status=code,
        )

    def create(self, request, *args, **kwargs):
        data = ChallengeListWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lst = call(services.create_list, by=request.user, data=data.validated_data)
        return self._out(lst, status.HTTP_201_CREATED)

    def _act(self, service, body=None, **kwargs):
        lst = self.get_object()
        if body is not None:
            parsed = body(data=self.request.data)
            parsed.is_valid(raise_exception=True)
            kwargs.update(parsed.validated_data)
        call(service, lst, by=self.request.user, **kwargs)
        return self._out(lst)

    @extend_schema(request=None, responses={200: ChallengeListSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """发榜单位提交审核。"""
        return self._act(services.submit_list)

    @extend_schema(request=None, responses={200: ChallengeListSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """管理员审核通过。"""
        return self._act(services.approve_list)

    @extend_schema(request=ChallengeReasonSerializer, responses={200: ChallengeListSerializer, **ERRORS})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """管理员退回修改（须填写原因）。"""
        return self._act(services.return_list, ChallengeReasonSerializer)

    @extend_schema(request=None, responses={200: ChallengeListSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """发榜单位发布（榜单中各榜开放揭榜）。"""
        return self._act(services.publish_list)

    @extend_schema(request=ChallengeReasonSerializer, responses={200: ChallengeListSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """发榜单位关闭榜单（未决的榜撤榜；须填写原因）。"""
        return self._act(services.close_list, ChallengeReasonSerializer)


@extend_schema_view(
    list=extend_schema(responses={200: ChallengeSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ChallengeSerializer, **READ_ERRORS}),
    create=extend_schema(request=ChallengeWriteSerializer, responses={201: ChallengeSerializer, **ERRORS}),
)
class ChallengeViewSet(
    ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """榜：列表、详情、新建；挂帅（award）与撤榜（close）；揭榜方案（bids）；评审专家（panel）；推荐揭榜方（proposals）。"""

    serializer_class = ChallengeSerializer
    search_fields = ["title", "summary", "targets", "keywords"]
    ordering_fields = ["bid_deadline", "funding_yuan", "id"]
    ordering = ["bid_deadline", "id"]
    filterset_fields = ["state", "list", "chain_type"]

    def get_queryset(self):
        return (
            Challenge.objects.visible_to(self.request.user)
            .select_related("list__publisher_org", "chain_type", "chain", "link")
            .prefetch_related(
                "criteria", Prefetch("bids", queryset=Bid.objects.only("pk", "state", "challenge_id"))
            )
        )

    def _out(self, challenge, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=challenge.pk)
        return Response(ChallengeSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        parsed = ChallengeWriteSerializer(data=request.data, context=self.get_serializer_context())
        parsed.is_valid(raise_exception=True)
        data = dict(parsed.validated_data)
        lst, criteria, orders = data.pop("list"), data.pop("criteria"), data.pop("orders", [])
        challenge = call(
            services.add_challenge, lst, by=request.user, data=data, criteria=criteria, orders=orders
        )
        return self._out(challenge, status.HTTP_201_CREATED)

    @extend_schema(request=AwardSerializer, responses={200: ChallengeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        """挂帅：选择中榜方案并说明理由；或 `no_award` 不授榜。"""
        challenge = self.get_object()
        parsed = AwardSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        if data.get("no_award"):
            call(services.decline_award, challenge, by=request.user, reason=data["reason"])
        else:
            reasons = {}
            for key, value in (data.get("reasons") or {}).items():
                if not str(key).isdigit():
                    raise exceptions.ValidationError({"reasons": [_("键须为方案编号。")]})
                reasons[int(key)] = value
            call(services.award_challenge, challenge, by=request.user, bids=data.get("bids") or [],
                 reason=data["reason"], reasons=reasons)  # fmt: skip
        return self._out(challenge)

    @extend_schema(request=ChallengeReasonSerializer, responses={200: ChallengeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """撤榜（揭榜中或评审中；须填写原因）。"""
        challenge = self.get_object()
        parsed = ChallengeReasonSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(services.cancel_challenge, challenge, by=request.user, reason=parsed.validated_data["reason"])
        return self._out(challenge)

    @extend_schema(
        methods=["GET"], request=None, responses={200: BidSerializer(many=True), **READ_ERRORS},
        description="揭榜单位只看到本单位的方案；发榜单位在揭榜截止后看到全部（已撤回的除外）。",
    )  # fmt: skip
    @extend_schema(methods=["POST"], request=BidWriteSerializer, responses={201: BidSerializer, **ERRORS})
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def bids(self, request, pk=None):
        """揭榜方案：列表（密封规则）与提交。"""
        challenge = self.get_object()
        if request.method == "POST":
            parsed = BidWriteSerializer(data=request.data)
            parsed.is_valid(raise_exception=True)
            data = dict(parsed.validated_data)
            partners, milestones = data.pop("partners", []), data.pop("milestones")
            bid = call(services.submit_bid, challenge, by=request.user, data=data, partners=partners,
                       milestones=milestones)  # fmt: skip
            bid = _bid_queryset(request.user).get(pk=bid.pk)
            return Response(
                BidSerializer(bid, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
            )
        bids = list(_bid_queryset(request.user).filter(challenge=challenge).order_by("pk"))
        context = self.get_serializer_context()
        context["bid_policies"] = policy.BidReadPolicy.for_bids(request.user, bids)
        return Response(BidSerializer(bids, many=True, context=context).data)

    @extend_schema(request=ExpertSerializer, responses={200: ChallengeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        """发榜单位添加评审专家（用户名）。"""
        challenge = self.get_object()
        parsed = ExpertSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        expert = get_user_model().objects.filter(username=parsed.validated_data["expert"]).first()
        if expert is None:
            raise exceptions.ValidationError({"expert": [_("没有该用户。")]})
        call(services.add_expert, challenge, by=request.user, expert=expert)
        return self._out(challenge)

    @extend_schema(
        request=None,
        responses={200: OpenApiResponse(description="推荐揭榜方（名称、匹配度、理由）"), **ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def proposals(self, request, pk=None):
        """推荐揭榜方：匹配引擎按榜的内容从资源库和科技成果中推荐（仅发榜单位和管理员）。"""
        challenge = self.get_object()
        if not policy.ChallengeReadPolicy.of(request.user, challenge).sees_proposals:
            raise exceptions.PermissionDenied(_("只有发榜单位可以查看推荐揭榜方。"), code="permission_denied")
        return Response([p.as_dict() for p in matching.proposed_bidders(challenge)])


@extend_schema_view(
    list=extend_schema(responses={200: BidSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: BidSerializer, **READ_ERRORS}),
)
class BidViewSet(ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """揭榜方案：本单位的方案，揭榜截止后发榜单位与（无利益冲突的）评审专家可见的方案；撤回、附件、利益冲突声明。"""

    serializer_class = BidSerializer
    filterset_fields = ["challenge", "state"]
    ordering = ["-id"]
    ordering_fields = ["id", "submitted_at"]
    search_fields = ["bidder_org__name"]

    def get_queryset(self):
        return _bid_queryset(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["bid_policies"] = policy.BidReadPolicy.for_bids(request.user, page)
        return self.get_paginated_response(BidSerializer(page, many=True, context=context).data)

    def _out(self, bid):
        return Response(
            BidSerializer(self.get_queryset().get(pk=bid.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(request=None, responses={200: BidSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """揭榜单位在截止前撤回方案。"""
        bid = self.get_object()
        call(services.withdraw_bid, bid, by=request.user)
        return Response(BidSerializer(Bid.objects.get(pk=bid.pk), context=self.get_serializer_context()).data)

    @extend_schema(
        request={"multipart/form-data": {"type": "object", "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
        responses={200: BidSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["post"], parser_classes=[parsers.MultiPartParser, parsers.FormParser])
    def attachments(self, request, pk=None):
        """揭榜单位在截止前上传方案附件（multipart，字段 files）。"""
        bid = self.get_object()
        files = _files(request)
        if not files:
            raise exceptions.ValidationError({"files": [_("请选择文件。")]})
        call(services.add_bid_files, bid, by=request.user, files=files)
        return self._out(bid)

    @extend_schema(request=ConflictSerializer, responses={200: BidSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def conflict(self, request, pk=None):
        """评审专家声明是否存在利益冲突（存在冲突后不再能看到或评审该方案）。"""
        bid = self.get_object()
        parsed = ConflictSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(services.declare_conflict, bid, by=request.user, **parsed.validated_data)
        visible = self.get_queryset().filter(pk=bid.pk).first()
        if visible is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(BidSerializer(visible, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(responses={200: ReviewSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ReviewSerializer, **READ_ERRORS}),
    create=extend_schema(request=ReviewWriteSerializer, responses={201: ReviewSerializer, **ERRORS}),
)
class ReviewViewSet(
    ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """评审意见：专家看到本人的，发榜单位看到本榜全部；专家提交评分。"""

    serializer_class = ReviewSerializer
    filterset_fields = ["bid", "bid__challenge"]
    ordering = ["id"]
    ordering_fields = ["id", "total"]

    def get_queryset(self):
        return (
            Review.objects.visible_to(self.request.user)
            .select_related("expert")
            .prefetch_related("scores__criterion")
        )

    def create(self, request, *args, **kwargs):
        parsed = ReviewWriteSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        bid = (
            Bid.objects.visible_to(request.user)
            .filter(pk=data["bid"])
            .select_related("challenge__list")
            .first()
        )
        if bid is None:
            raise exceptions.NotFound(_("没有找到该方案。"))
        scores = {s["criterion"]: (s["score"], s.get("comment", "")) for s in data["scores"]}
        review = call(
            services.submit_review, bid, by=request.user, scores=scores, comment=data.get("comment", "")
        )
        return Response(
            ReviewSerializer(self.get_queryset().get(pk=review.pk)).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    list=extend_schema(responses={200: ProjectSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProjectSerializer, **READ_ERRORS}),
)
class ProjectViewSet(
    ListFiltersOnly, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """攻关项目：中榜单位与发榜单位可见；里程碑；最终验收。"""

    serializer_class = ProjectSerializer
    ordering = ["-id"]
    ordering_fields = ["id"]
    filterset_fields = ["state", "challenge"]

    def get_queryset(self):
        return (
            Project.objects.visible_to(self.request.user)
            .select_related("challenge", "bid__bidder_org")
            .prefetch_related("milestones__reports__files")
        )

    @extend_schema(request=None, responses={200: MilestoneSerializer(many=True), **READ_ERRORS})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def milestones(self, request, pk=None):
        """项目里程碑及进展报告。"""
        project = self.get_object()
        return Response(MilestoneSerializer(project.milestones.all(), many=True).data)

    @extend_schema(request=ChallengeNoteSerializer, responses={200: ProjectSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """最终验收（全部里程碑通过后；关联需求随之办结）。"""
        project = self.get_object()
        parsed = ChallengeNoteSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(services.accept_project, project, by=request.user, note=parsed.validated_data.get("note", ""))
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)


@extend_schema_view(retrieve=extend_schema(responses={200: MilestoneSerializer, **READ_ERRORS}))
class MilestoneViewSet(ListFiltersOnly, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """项目里程碑：中榜单位报告进展（report，可附证明材料），发榜单位验收（accept）或要求整改（rework）。"""

    serializer_class = MilestoneSerializer

    def get_queryset(self):
        return (
            Milestone.objects.visible_to(self.request.user)
            .select_related("project__challenge__list", "project__bid")
            .prefetch_related("reports__files")
        )

    def _out(self, milestone):
        return Response(MilestoneSerializer(self.get_queryset().get(pk=milestone.pk)).data)

    @extend_schema(request=MilestoneReportInSerializer, responses={200: MilestoneSerializer, **ERRORS})
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[SafeJSONParser, parsers.MultiPartParser, parsers.FormParser],
    )
    def report(self, request, pk=None):
        """中榜单位报告进展与证明材料（multipart 时文件字段 files）。"""
        milestone = self.get_object()
        parsed = MilestoneReportInSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(
            services.report_milestone,
            milestone,
            by=request.user,
            text=parsed.validated_data["text"],
            files=_files(request),
        )
        return self._out(milestone)

    @extend_schema(request=ChallengeNoteSerializer, responses={200: MilestoneSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """发榜单位验收通过。"""
        milestone = self.get_object()
        parsed = ChallengeNoteSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(
            services.accept_milestone, milestone, by=request.user, note=parsed.validated_data.get("note", "")
        )
        return self._out(milestone)

    @extend_schema(request=ChallengeReasonSerializer, responses={200: MilestoneSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def rework(self, request, pk=None):
        """发榜单位要求整改（须填写原因）。"""
        milestone = self.get_object()
        parsed = ChallengeReasonSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        call(services.rework_milestone, milestone, by=request.user, reason=parsed.validated_data["reason"])
        return self._out(milestone)


@extend_schema_view(
    list=extend_schema(responses={200: AchievementSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: AchievementSerializer, **READ_ERRORS}),
    create=extend_schema(request=AchievementSerializer, responses={201: AchievementSerializer, **ERRORS}),
    partial_update=extend_schema(
        request=AchievementSerializer, responses={200: AchievementSerializer, **ERRORS}
    ),
)
class AchievementViewSet(ListFiltersOnly,
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """科技成果供给清单：公开的成果及本单位的成果；资源方新增、修改本单位成果。"""

    serializer_class = AchievementSerializer
    search_fields = ["title", "field", "summary", "keywords", "organization__name"]
    filterset_fields = ["maturity", "ip_kind", "licensing", "chain_type", "organization"]
    ordering = ["-updated_at", "-id"]
    ordering_fields = ["updated_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Achievement.objects.visible_to(self.request.user).select_related("organization")

    def create(self, request, *args, **kwargs):
        parsed = AchievementSerializer(data=request.data)
        parsed.is_valid(raise_exception=True)
        achievement = call(services.save_achievement, None, by=request.user, data=parsed.validated_data)
        return Response(AchievementSerializer(achievement).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        achievement = self.get_object()
        parsed = AchievementSerializer(achievement, data=request.data, partial=True)
        parsed.is_valid(raise_exception=True)
        achievement = call(
            services.save_achievement, achievement, by=request.user, data=parsed.validated_data
        )
        return Response(AchievementSerializer(achievement).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            raise exceptions.MethodNotAllowed(request.method)
        return self.partial_update(request, *args, **kwargs)


def register(router) -> None:
    """Register the 揭榜挂帅 endpoints on the API v1 router."""
    router.register("challenge-lists", ChallengeListViewSet, basename="challenge-list")
    router.register("challenges", ChallengeViewSet, basename="challenge")
    router.register("bids", BidViewSet, basename="bid")
    router.register("reviews", ReviewViewSet, basename="review")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("milestones", MilestoneViewSet, basename="milestone")
    router.register("achievements", AchievementViewSet, basename="achievement")
