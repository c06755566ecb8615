"""Load demo docking events (示例): two past events with held meetings and outcomes, one upcoming with requests.

    python manage.py seed_demo_events

Every step goes through `events.services` (registration, requests, acceptance, the scheduler, outcomes). A past
event is run as if it were upcoming and then moved back in time (its dates, all at once), so that its meetings
can be held and their outcomes recorded as they would be on the day. Idempotent: does nothing when sample events
exist. Needs `load_reference_data`, `seed_demo` and `seed_demo_orders` first. No e-mail leaves the process.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from chains.models import County
from devtools.personas import DEMO_DATA_PERSONAS
from events import services
from events.models import Event, Meeting, MeetingOutcome, Registration
from matchmaking.models import Order


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class Command(BaseCommand):
    help = (
        "Load demo docking events (示例): two past events with outcomes, one upcoming with meeting requests."
    )

    def handle(self, *args, **options):
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_DATA_PERSONAS).select_related("organization")
        }
        missing = sorted(set(DEMO_DATA_PERSONAS) - set(users))
        if missing:
            raise CommandError(
                f"Demo personas missing ({', '.join(missing)}): run `manage.py seed_demo` first."
            )
        if Event.objects.filter(is_sample=True).exists():
            self.stdout.write("Demo events already present; nothing to do.")
            return
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            with transaction.atomic():
                self._past_finance(users)
            with transaction.atomic():
                self._past_luoyuan(users)
            with transaction.atomic():
                self._upcoming(users)
        self.stdout.write(
            self.style.SUCCESS("Loaded 3 demo events (示例): 2 past with outcomes, 1 upcoming.")
        )

    # helpers

    def _event(self, users, organizer, *, days: int, counties=(), **fields) -> Event:
        start = _at(days, 14)
        data = {
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=4),
            "registration_deadline": start - datetime.timedelta(days=1),
            "meetings_start": start + datetime.timedelta(minutes=40),
            "slot_minutes": 20,
            "slot_count": 6,
            "table_count": 8,
            "capacity": 80,
            "counties": list(County.objects.filter(name__in=counties)),
            **fields,
        }
        by = users[organizer]
        event = services.create_event(by=by, data=data)
        services.submit_event(event, by=by)
        services.approve_event(event, by=users["admin"], note="材料齐全（示例）")
        services.publish_event(event, by=by)
        return event

    def _register(self, event, users, names) -> dict[str, Registration]:
        profiles = {
            "inst_dhu": "纺织科学与工程学科团队，可承接功能性面料、绿色染整联合攻关（示例）",
            "firm_demo": "针织面料企业，寻找再生纤维上游供应和科技贷款（示例）",
            "bank_cib": "科技贷、知识产权质押贷、供应链金融（示例）",
            "county_jinjiang": "纺织鞋服产业链专班，带来本链在办需求（示例）",
            "county_luoyuan": "冶金（不锈钢）产业链专班（示例）",
        }
        return {
            n: services.register(
                event,
                by=users[n],
                attendees=f"{users[n].last_name}{users[n].first_name}",
                profile=profiles.get(n, ""),
            )
            for n in names
        }

    def _meet(self, event, users, regs, requester, invitee, message, order=None, accept=True) -> Meeting:
        meeting = services.request_meeting(
            event, by=users[requester], invitee=regs[invitee], order=order, message=message
        )
        if accept:
            services.accept_meeting(meeting, by=users[invitee])
        return meeting

    def _move_back(self, event, days: int) -> None:
        """Shift the event's dates `days` days into the past (the run of the day is then over)."""
        shift = datetime.timedelta(days=days)
        Event.objects.filter(pk=event.pk).update(
            starts_at=event.starts_at - shift,
            ends_at=event.ends_at - shift,
            registration_deadline=event.registration_deadline - shift,
            meetings_start=event.meetings_start - shift,
            published_at=event.published_at - shift,
        )
        event.refresh_from_db()

    def _mark_sample(self, event) -> None:
        Event.objects.filter(pk=event.pk).update(is_sample=True)
        Registration.objects.filter(event=event).update(is_sample=True)
        Meeting.objects.filter(event=event).update(is_sample=True)
        MeetingOutcome.objects.filter(meeting__event=event).update(is_sample=True)

    # the three events

    def _past_finance(self, users) -> None:
        """兴业银行's 产融对接会 for 晋江's textile chain, 40 days ago: four meetings held, two agreements."""
        event = self._event(
            users,
            "bank_cib",
            days=3,
            counties=["晋江市"],
            title="晋江纺织鞋服产业链产融对接会（示例）",
            kind="finance",
            order_kinds=["capital"],
            place="晋江市国际会展中心 3 号厅",
            agenda="14:00 开场致辞\n14:10 科技贷、知识产权质押贷产品推介\n14:40 一对一洽谈",
        )
        regs = self._register(event, users, ["county_jinjiang", "county_luoyuan", "inst_dhu", "firm_demo"])
        meetings = [
            self._meet(event, users, regs, "county_jinjiang", "inst_dhu", "功能性面料工艺联合攻关"),
            self._meet(event, users, regs, "county_jinjiang", "firm_demo", "链上企业扩产融资"),
            self._meet(event, users, regs, "firm_demo", "inst_dhu", "再生纤维面料打样"),
            self._meet(event, users, regs, "county_luoyuan", "inst_dhu", "不锈钢表面处理"),
        ]
        services.schedule_event(event, by=users["bank_cib"])
        self._move_back(event, 43)
        for reg in regs.values():
            services.check_in(reg.checkin_token, by=users["bank_cib"])
        outcomes = [
            (meetings[0], "county_jinjiang", "agreement", 800_000, "签订联合攻关协议（示例）"),
            (meetings[0], "inst_dhu", "agreement", 800_000, "组建功能整理攻关团队（示例）"),
            (meetings[1], "county_jinjiang", "follow_up", None, "企业补充材料后再对接（示例）"),
            (meetings[2], "firm_demo", "agreement", 1_200_000, "签订打样与技术服务合同（示例）"),
            (meetings[3], "county_luoyuan", "no_interest", None, "方向不匹配（示例）"),
        ]
        for meeting, side, result, amount, note in outcomes:
            services.record_outcome(meeting, by=users[side], result=result, amount_yuan=amount, note=note)
        services.finish_event(Event.objects.get(pk=event.pk), by=users["bank_cib"])
        self._mark_sample(event)

    def _past_luoyuan(self, users) -> None:
        """省委金融办's 政银企对接会 for 罗源's metallurgy chain, 12 days ago: credit agreed with 兴业银行."""
        event = self._event(
            users,
            "body_jrb",
            days=2,
            counties=["罗源县"],
            title="罗源县冶金产业链政银企对接会（示例）",
            kind="finance",
            order_kinds=["capital"],
            place="罗源县行政服务中心会议室",
            agenda="14:00 政策解读\n14:20 银行授信产品介绍\n14:40 政银企一对一洽谈",
        )
        regs = self._register(event, users, ["county_luoyuan", "bank_cib", "firm_demo"])
        credit = self._meet(event, users, regs, "county_luoyuan", "bank_cib", "不锈钢企业技改授信")
        supply = self._meet(event, users, regs, "firm_demo", "bank_cib", "供应链金融")
        services.schedule_event(event, by=users["body_jrb"])
        self._move_back(event, 14)
        services.check_in(regs["county_luoyuan"].checkin_token, by=users["body_jrb"])
        services.check_in(regs["bank_cib"].checkin_token, by=users["body_jrb"])
        services.record_outcome(
            credit,
            by=users["bank_cib"],
            result="agreement",
            amount_yuan=30_000_000,
            note="意向授信 3000 万元（示例）",
        )
        services.record_outcome(
            credit,
            by=users["county_luoyuan"],
            result="agreement",
            amount_yuan=30_000_000,
            note="签订授信意向书（示例）",
        )
        services.record_outcome(
            supply, by=users["firm_demo"], result="follow_up", note="提交订单数据后评估（示例）"
        )
        services.finish_event(Event.objects.get(pk=event.pk), by=users["body_jrb"])
        self._mark_sample(event)

    def _upcoming(self, users) -> None:
        """省科技厅's 校地对接会 in ten days: registrations, requests (one about 晋江's order), a first schedule."""
        event = self._event(
            users,
            "body_kjt",
            days=10,
            counties=["晋江市", "罗源县"],
            title="泉州纺织鞋服产业链校地对接会（示例）",
            kind="campus",
            order_kinds=["innovation", "talent"],
            place="泉州市科技成果转化服务中心",
            agenda="14:00 高校院所成果推介\n14:40 县域需求发布\n15:00 一对一洽谈",
        )
        for name in ("inst_dhu", "firm_demo"):
            services.invite(event, by=users["body_kjt"], organization=users[name].organization)
        regs = self._register(
            event, users, ["county_jinjiang", "county_luoyuan", "inst_dhu", "firm_demo", "bank_cib"]
        )
        order = (
            Order.objects.filter(
                county__name="晋江市", is_sample=True, state__in=["published", "claimed", "docking"]
            )
            .order_by("pk")
            .first()
        )
        self._meet(event, users, regs, "county_jinjiang", "inst_dhu", "抗菌凉感面料联合攻关", order=order)
        self._meet(event, users, regs, "firm_demo", "inst_dhu", "再生纤维面料技术服务")
        services.schedule_event(event, by=users["body_kjt"])
        self._meet(event, users, regs, "county_luoyuan", "inst_dhu", "不锈钢材料学科合作", accept=False)
        self._meet(event, users, regs, "bank_cib", "county_jinjiang", "科技贷进园区", accept=False)
        self._mark_sample(event)
