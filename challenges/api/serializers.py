"""Serializers of the challenge API."""

from rest_framework import serializers

from accounts.scoping import Scope
from challenges import policy
from challenges.api.common import MAX_AMOUNT
from challenges.choices import BidState, UnsuccessfulReason
from challenges.models import (
    Achievement,
    Challenge,
    ChallengeList,
    Milestone,
    Project,
    Review,
)


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
