"""Forms of the 揭榜挂帅 pages (they parse input only; the services validate and change state)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ProviderKind
from challenges.choices import UnsuccessfulReason
from challenges.models import Achievement, Challenge, ChallengeList
from challenges.services import ACHIEVEMENT_INPUTS
from matchmaking.forms import AttachmentsField, Bootstrap
from matchmaking.models import Order


class ChallengeListForm(Bootstrap, forms.ModelForm):
    """榜单: title and description."""

    class Meta:
        model = ChallengeList
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def _lines(text: str) -> list[list[str]]:
    rows = []
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            rows.append([p.strip() for p in line.replace(";", "；").split("；")])
    return rows


class ChallengeForm(Bootstrap, forms.ModelForm):
    """榜: targets, acceptance criteria, chain, funding, deadline, eligibility, review criteria, source orders."""

    criteria_text = forms.CharField(
        label=_("评审指标及权重"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="技术路线可行性；40\n团队能力与条件；30\n经费预算合理性；30",
        help_text=_("每行一项：指标名称；权重（1–100）"),
    )
    eligible_kinds = forms.MultipleChoiceField(
        label=_("可揭榜单位类型"),
        choices=[(k, ProviderKind(k).label) for k in (ProviderKind.INSTITUTION, ProviderKind.ENTERPRISE)],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限"),
    )
    bid_deadline = forms.DateTimeField(
        label=_("揭榜截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Challenge
        fields = [
            "title", "summary", "targets", "acceptance_criteria", "keywords", "chain_type", "chain", "link",
            "funding_yuan", "funder", "bid_deadline", "region_scope", "region_prefecture", "eligible_kinds",
            "joint_bids_allowed", "orders",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "targets": forms.Textarea(attrs={"rows": 3}),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["orders"].queryset = (
            Order.objects.visible_to(user).exclude(state__in=["draft"]).order_by("-pk")
        )
        self.fields["orders"].required = False
        self.fields["orders"].help_text = _("由创新需求形成的榜可关联这些需求；最终验收时关联需求随之办结")
        if not self.initial.get("bid_deadline"):
            self.initial["bid_deadline"] = (timezone.localtime() + datetime.timedelta(days=30)).replace(
                hour=17, minute=0, second=0, microsecond=0
            )

    def clean_criteria_text(self):
        """Lines of "name；weight"."""
        out = []
        for parts in _lines(self.cleaned_data["criteria_text"]):
            if len(parts) < 2 or not parts[1].isdigit():
                raise forms.ValidationError(_("每行格式：指标名称；权重"))
            out.append({"name": parts[0], "weight": int(parts[1]), "description": "；".join(parts[2:])})
        if not out:
            raise forms.ValidationError(_("请至少设置一项评审指标。"))
        return out


class BidForm(Bootstrap, forms.Form):
    """揭榜方案: team and lead, approach, budget, milestones, consortium partners, attachments."""

    lead_name = forms.CharField(label=_("项目负责人"), max_length=50)
    lead_title = forms.CharField(label=_("负责人职称/职务"), max_length=50, required=False)
    team = forms.CharField(label=_("团队成员"), widget=forms.Textarea(attrs={"rows": 2}))
    approach = forms.CharField(label=_("技术路线"), widget=forms.Textarea(attrs={"rows": 5}))
    budget_yuan = forms.IntegerField(label=_("申请经费（元）"), min_value=0, max_value=10**15)
    milestones_text = forms.CharField(
        label=_("里程碑"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2027-03-31；完成小试；小试报告"}),
        help_text=_("每行一个：计划完成日期（YYYY-MM-DD）；里程碑；交付成果"),
    )
    partners_text = forms.CharField(
        label=_("联合体成员"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "某某大学；负责材料表征"}),
        help_text=_("联合揭榜时每行一个：单位名称；分工"),
    )
    attachments = AttachmentsField(label=_("附件"), required=False)

    def clean_milestones_text(self):
        """Lines of "date；title；deliverable"."""
        out = []
        for parts in _lines(self.cleaned_data["milestones_text"]):
            try:
                due = datetime.date.fromisoformat(parts[0])
            except ValueError as exc:
                raise forms.ValidationError(_("日期格式应为 YYYY-MM-DD：%(v)s") % {"v": parts[0]}) from exc
            if len(parts) < 3 or not parts[1] or not parts[2]:
                raise forms.ValidationError(_("每行格式：日期；里程碑；交付成果"))
            out.append({"due_date": due, "title": parts[1], "deliverable": "；".join(parts[2:])})
        if not out:
            raise forms.ValidationError(_("请至少填写一个里程碑。"))
        return out

    def clean_partners_text(self):
        """Lines of "name；role"."""
        return [
            {"name": p[0], "role": "；".join(p[1:])}
            for p in _lines(self.cleaned_data.get("partners_text", ""))
        ]


class ReasonForm(Bootstrap, forms.Form):
    """A reason or note."""

    reason = forms.CharField(label=_("原因/意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AwardForm(Bootstrap, forms.Form):
    """挂帅: the awarded bids and the reason; the others' reason category."""

    bids = forms.MultipleChoiceField(label=_("中榜方案"), widget=forms.CheckboxSelectMultiple, required=False)
    reason = forms.CharField(label=_("挂帅理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    others = forms.ChoiceField(
        label=_("其余方案的未中榜原因"),
        choices=[(c.value, c.label) for c in UnsuccessfulReason if c not in ("no_award", "cancelled")],
        initial=UnsuccessfulReason.RANKED_LOWER,
    )

    def __init__(self, *args, bids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bids"].choices = [(str(b.pk), b.bidder_org.name) for b in bids]


class ReviewForm(Bootstrap, forms.Form):
    """One score (0–100) and comment per criterion, and an overall comment."""

    comment = forms.CharField(label=_("总体意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.IntegerField(
                label=f"{c.name}（{_('权重')} {c.weight}）", min_value=0, max_value=100
            )
            self.fields[f"score_{c.pk}"].widget.attrs["class"] = "form-control"
            self.fields[f"note_{c.pk}"] = forms.CharField(label=_("意见"), required=False, max_length=500)
            self.fields[f"note_{c.pk}"].widget.attrs["class"] = "form-control"
        self.fields["comment"] = self.fields.pop("comment")  # the overall comment after the criteria

    def scores(self) -> dict:
        """criterion id → (score, comment)."""
        return {
            c.pk: (self.cleaned_data[f"score_{c.pk}"], self.cleaned_data.get(f"note_{c.pk}", ""))
            for c in self.criteria
        }


class ReportForm(Bootstrap, forms.Form):
    """A milestone report with evidence."""

    text = forms.CharField(label=_("进展与证明材料说明"), widget=forms.Textarea(attrs={"rows": 3}))
    attachments = AttachmentsField(label=_("证明材料"), required=False)


class AchievementForm(Bootstrap, forms.ModelForm):
    """科技成果."""

    class Meta:
        model = Achievement
        fields = ACHIEVEMENT_INPUTS
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
