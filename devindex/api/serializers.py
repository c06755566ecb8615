"""Serializers of the development index API (shapes in the API contract of the README)."""

from rest_framework import serializers

from chains.models import County
from devindex import policy
from devindex.choices import Direction, ReportState, ResultSource, Tier, ValueOrigin
from devindex.models import Indicator, IndicatorReport, IndicatorValue
from devindex.ranking import as_dict


class DimensionScoreSerializer(serializers.Serializer):
    """One dimension's score (0–100 with min-max) and rank; both null where not published or not ranked."""

    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class DimensionsSerializer(serializers.Serializer):
    """The five dimensions."""

    industry_strength = DimensionScoreSerializer(help_text="产业实力")
    innovation = DimensionScoreSerializer(help_text="创新能力")
    agglomeration = DimensionScoreSerializer(help_text="集聚水平")
    quality = DimensionScoreSerializer(help_text="质量效益")
    smart_potential = DimensionScoreSerializer(help_text="智造潜力")


class IndexResultSerializer(serializers.Serializer):
    """One county's index result in a year (read from `devindex.ranking.as_dict`)."""

    county = serializers.IntegerField(help_text="县域 id")
    county_name = serializers.CharField()
    prefecture_name = serializers.CharField()
    year = serializers.IntegerField()
    source = serializers.ChoiceField(
        choices=ResultSource.choices, help_text="computed：平台计算；published：白皮书公布"
    )
    total = serializers.FloatField(allow_null=True, help_text="指数得分；未参与排名为 null")
    rank = serializers.IntegerField(allow_null=True, help_text="全省排名；未参与排名为 null")
    dimensions = DimensionsSerializer()
    tiers = serializers.ListField(child=serializers.ChoiceField(choices=Tier.choices))
    coverage = serializers.IntegerField(allow_null=True, help_text="已报指标数（公布数据为 null）")
    imputed = serializers.ListField(child=serializers.CharField(), help_text="按中位数补齐的指标代码")
    sample = serializers.BooleanField(help_text="由示例数据计算，不是真实结果")
    method_version = serializers.IntegerField(allow_null=True, help_text="计算方法版本（公布数据为 null）")
    note = serializers.CharField(allow_blank=True)

    def to_representation(self, instance):
        if isinstance(instance, dict):
            return instance
        tier_map = self.context.get("tiers", {})
        return as_dict(instance, self.context["dimensions"], tier_map.get(instance.county_id, []))


class IndicatorSerializer(serializers.ModelSerializer):
    """One indicator with its dimension and the weights of the current method version."""

    dimension = serializers.CharField(source="dimension.code", read_only=True)
    dimension_name = serializers.CharField(source="dimension.name", read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True)
    weight = serializers.SerializerMethodField(help_text="维度内权重")
    dimension_weight = serializers.SerializerMethodField(help_text="维度权重")
    method_version = serializers.SerializerMethodField()
    min_value = serializers.FloatField(allow_null=True, read_only=True)
    max_value = serializers.FloatField(allow_null=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "code", "name", "unit", "direction", "dimension", "dimension_name", "weight", "dimension_weight",
            "method_version", "min_value", "max_value", "integer",
        ]  # fmt: skip

    def _version(self):
        return self.context.get("method_version")

    def get_weight(self, obj) -> float | None:
        version = self._version()
        return float(version.indicator_weights.get(obj.code, 1.0)) if version else None

    def get_dimension_weight(self, obj) -> float | None:
        version = self._version()
        return float(version.dimension_weights.get(obj.dimension.code, 1.0)) if version else None

    def get_method_version(self, obj) -> int | None:
        version = self._version()
        return version.number if version else None


class ValueSerializer(serializers.ModelSerializer):
    """One indicator value of a county's yearly report."""

    county = serializers.IntegerField(source="report.county_id", read_only=True)
    county_name = serializers.CharField(source="report.county.name", read_only=True)
    year = serializers.IntegerField(source="report.year", read_only=True)
    indicator = serializers.CharField(source="indicator.code", read_only=True)
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    unit = serializers.CharField(source="indicator.unit", read_only=True)
    value = serializers.FloatField(allow_null=True, read_only=True)
    report = serializers.IntegerField(source="report_id", read_only=True)
    state = serializers.ChoiceField(source="report.state", choices=ReportState.choices, read_only=True)
    origin = serializers.ChoiceField(source="report.origin", choices=ValueOrigin.choices, read_only=True)
    sample = serializers.BooleanField(source="report.is_sample", read_only=True)

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "county", "county_name", "year", "indicator", "indicator_name", "unit", "value", "report",
            "state", "origin", "sample", "updated_at",
        ]  # fmt: skip


class ValueWriteSerializer(serializers.Serializer):
    """Write one value: county users for their own county (the county may be left out); administrators name it."""

    county = serializers.PrimaryKeyRelatedField(queryset=County.objects.all(), required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    value = serializers.DecimalField(
        max_digits=20, decimal_places=4, allow_null=True, help_text="空值表示未填报"
    )


class ValuePatchSerializer(serializers.Serializer):
    """Change a value."""

    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)


class ReportSerializer(serializers.ModelSerializer):
    """A county's yearly report with its values keyed by indicator code."""

    county_name = serializers.CharField(source="county.name", read_only=True)
    sample = serializers.BooleanField(source="is_sample", read_only=True)
    state_note = serializers.SerializerMethodField(help_text="退回原因（县域本身、所属设区市和管理员可见）")
    values = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorReport
        fields = [
            "id", "county", "county_name", "year", "state", "origin", "sample", "state_note", "submitted_at",
            "reviewed_at", "values",
        ]  # fmt: skip

    def get_state_note(self, obj) -> str:
        request = self.context.get("request")
        return obj.state_note if request and policy.may_read_state_note(request.user, obj) else ""

    def get_values(self, obj) -> dict[str, float | None]:
        return {v.indicator.code: None if v.value is None else float(v.value) for v in obj.values.all()}


class IndexReasonSerializer(serializers.Serializer):
    """A reason (required for return and reopen)."""

    reason = serializers.CharField(max_length=300, help_text="原因")
