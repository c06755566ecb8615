"""Access to the 揭榜挂帅 pages and API: each persona against each URL (404 outside scope, sealed bids included).

Rows are built through the services as the personas: 省科技厅 publishes a list with one challenge on 晋江's
纺织鞋服 chain; 东华大学 (inst_dhu) bids; after the deadline the bid is awarded and becomes a project.
"""

import datetime

from tests.access import Access, logged_in, only, public, rule

PROVIDERS = ("bank_cib", "inst_dhu", "firm_demo")
GOVERNMENT = ("county_jinjiang", "county_luoyuan", "city_quanzhou", "body_kjt", "body_jrb", "body_gxt")
ALL = (*GOVERNMENT, *PROVIDERS, "admin")


def api(default: int, **overrides: int) -> dict[str, int]:
    """`default` for every persona, 401 for anonymous, overrides by name."""
    return rule(default, anonymous=401, **overrides)


def api_only(*names: str, ok: int = 200, visible: int = 404, **overrides: int) -> dict[str, int]:
    """The named personas get `ok`; the others 404 (or `visible` when they may see it), unless overridden;
    anonymous 401."""
    return api(visible, **{**dict.fromkeys(names, ok), **overrides})


def _challenge(personas, *, publish=True):
    from tests.challenges.conftest import make_challenge

    return make_challenge(personas, publish=publish)


def _draft(personas):
    return _challenge(personas, publish=False)


def _bid_with_panel(personas):
    """A bid after the deadline, with 兴业银行's user on the panel (an expert who may declare)."""
    from challenges.models import PanelMember

    bid = _bid(personas)
    PanelMember.objects.create(challenge=bid.challenge, expert=personas["bank_cib"])
    _past_deadline(bid.challenge)
    return {"pk": bid.pk}


def _past_deadline(challenge):
    from django.utils import timezone

    from challenges import services
    from challenges.models import Challenge

    Challenge.objects.filter(pk=challenge.pk).update(
        bid_deadline=timezone.now() - datetime.timedelta(minutes=1)
    )
    services.close_due_bidding()
    challenge.refresh_from_db()
    return challenge


def _bid(personas, *, after_deadline=False, files=()):
    from tests.challenges.conftest import make_bid

    challenge = _challenge(personas)
    bid = make_bid(challenge, personas["inst_dhu"], files=files)
    if after_deadline:
        _past_deadline(challenge)
    return bid


def _project(personas):
    from challenges import services

    bid = _bid(personas, after_deadline=True)
    (project,) = services.award_challenge(bid.challenge, by=personas["body_kjt"], bids=[bid], reason="达标")
    return project


def _list_in(state):
    def build(personas):
        from challenges import services

        challenge = _challenge(personas, publish=False)
        lst = challenge.list
        if state in ("submitted", "approved"):
            services.submit_list(lst, by=personas["body_kjt"])
        if state == "approved":
            services.approve_list(lst, by=personas["admin"])
        return {"pk": lst.pk}

    return build


def _published_list(personas):
    return {"pk": _challenge(personas).list_id}


def _file(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bid = _bid(personas, files=[SimpleUploadedFile("方案.pdf", b"%PDF-1.4 matrix")])
    return {"pk": bid.files.get().pk}


def _achievement(personas):
    from challenges import services

    achievement = services.save_achievement(
        None,
        by=personas["inst_dhu"],
        data={"title": "抗菌凉感纤维整理技术", "field": "纺织材料", "summary": "纳米银抗菌整理", "maturity": "pilot",
              "ip_kind": "invention_patent", "licensing": "license", "is_published": False},
    )  # fmt: skip
    return {"pk": achievement.pk}


def _review(personas):
    from challenges.demo import ensure_challenge_personas
    from challenges.models import PanelMember
    from tests.challenges.conftest import review_all

    bid = _bid(personas)
    ensure_challenge_personas(lambda: "x-Password-1")
    from accounts.models import User

    expert = User.objects.get(username="expert_wu")
    PanelMember.objects.create(challenge=bid.challenge, expert=expert)
    _past_deadline(bid.challenge)
    return {"pk": review_all(bid, expert).pk}


def pk(build):
    """URL kwargs {"pk": id} of the object `build(personas)` returns."""
    return lambda personas: {"pk": build(personas).pk}


ACCESS = {
    # pages
    "challenges:index": Access(public()),
    "challenges:achievements": Access(public()),
    "challenges:mine": Access(logged_in()),
    "challenges:dashboard": Access(logged_in()),
    "challenges:achievement_create": Access(only(*PROVIDERS)),
    "challenges:achievement_edit": Access(only("inst_dhu"), kwargs=_achievement),
    "challenges:list_create": Access(only(*GOVERNMENT)),
    "challenges:list_detail": Access(only("body_kjt", "admin", anonymous=404), kwargs=_list_in("draft")),
    "challenges:challenge_create": Access(only("body_kjt", "admin"), kwargs=_list_in("draft")),
    "challenges:export_list": Access(only("body_kjt", "admin"), kwargs=_list_in("draft")),
    "challenges:list_action": Access(
        only("body_kjt", ok=302), kwargs=lambda p: {**_list_in("draft")(p), "action": "submit"}, method="post"
    ),
    "challenges:detail": Access(only("body_kjt", "admin", anonymous=404), kwargs=pk(_draft)),
    "challenges:bid_create": Access(only(*PROVIDERS), kwargs=pk(_challenge)),
    "challenges:export_bids": Access(
        only("body_kjt", "admin"), kwargs=lambda p: {"pk": _bid(p, after_deadline=True).challenge_id}
    ),
    "challenges:export_reviews": Access(
        only("body_kjt", "admin"), kwargs=lambda p: {"pk": _bid(p, after_deadline=True).challenge_id}
    ),
    "challenges:challenge_action": Access(
        only("body_kjt", "admin", ok=302),
        kwargs=lambda p: {"pk": _challenge(p).pk, "action": "cancel"},
        method="post",
        data={"reason": "需求已由其他渠道解决"},
    ),
    "challenges:bid_detail": Access(only("inst_dhu"), kwargs=pk(_bid)),
    "challenges:bid_action": Access(
        only("inst_dhu", ok=302), kwargs=lambda p: {"pk": _bid(p).pk, "action": "withdraw"}, method="post"
    ),
    "challenges:project_detail": Access(only("inst_dhu", "body_kjt", "admin"), kwargs=pk(_project)),
    "challenges:project_accept": Access(
        only("body_kjt", "admin", ok=302), kwargs=pk(_project), method="post"
    ),
    "challenges:milestone_action": Access(
        only("inst_dhu", ok=302),
        kwargs=lambda p: {"pk": _project(p).milestones.first().pk, "action": "report"},
        method="post",
        data={"text": "小试完成"},
    ),
    "challenges:file": Access(only("inst_dhu"), kwargs=_file),
    # API
    "api:challenge-list-list": Access(api(200)),
    "api:challenge-list-detail": Access(api_only("body_kjt", "admin"), kwargs=_list_in("draft")),
    "api:challenge-list-submit": Access(
        api_only("body_kjt", admin=403), kwargs=_list_in("draft"), method="post"
    ),
    "api:challenge-list-approve": Access(
        api_only("admin", body_kjt=403), kwargs=_list_in("submitted"), method="post"
    ),
    "api:challenge-list-return": Access(
        api_only("admin", body_kjt=403),
        kwargs=_list_in("submitted"),
        method="post",
        data={"reason": "请补充"},
    ),
    "api:challenge-list-publish": Access(
        api_only("body_kjt", "admin"), kwargs=_list_in("approved"), method="post"
    ),
    "api:challenge-list-close": Access(
        api_only("body_kjt", "admin", ok=409),
        kwargs=_list_in("draft"),
        method="post",
        data={"reason": "结束"},
    ),
    "api:challenge-list": Access(api(200)),
    "api:challenge-detail": Access(api_only("body_kjt", "admin"), kwargs=pk(_draft)),
    "api:challenge-award": Access(
        api_only("body_kjt", "admin", ok=409),
        kwargs=pk(_draft),
        method="post",
        data={"no_award": True, "reason": "x"},
    ),
    "api:challenge-close": Access(
        api_only("body_kjt", "admin", ok=409), kwargs=pk(_draft), method="post", data={"reason": "撤榜"}
    ),
    "api:challenge-bids": Access(api_only("body_kjt", "admin"), kwargs=pk(_draft)),
    "api:challenge-panel": Access(
        api_only("body_kjt", "admin"), kwargs=pk(_draft), method="post", data={"expert": "inst_dhu"}
    ),
    "api:challenge-proposals": Access(api_only("body_kjt", "admin"), kwargs=pk(_draft)),
    "api:bid-list": Access(api(200)),
    "api:bid-detail": Access(api_only("inst_dhu"), kwargs=pk(_bid)),
    "api:bid-withdraw": Access(api_only("inst_dhu"), kwargs=pk(_bid), method="post"),
    "api:bid-attachments": Access(api_only("inst_dhu", ok=400), kwargs=pk(_bid), method="post"),
    "api:bid-conflict": Access(
        api_only("inst_dhu", "body_kjt", "admin", ok=403, bank_cib=200),
        kwargs=_bid_with_panel,
        method="post",
        data={"has_conflict": False},
    ),
    "api:review-list": Access(api(200)),
    "api:review-detail": Access(api_only("body_kjt", "admin"), kwargs=_review),
    "api:project-list": Access(api(200)),
    "api:project-detail": Access(api_only("inst_dhu", "body_kjt", "admin"), kwargs=pk(_project)),
    "api:project-milestones": Access(api_only("inst_dhu", "body_kjt", "admin"), kwargs=pk(_project)),
    "api:project-accept": Access(
        api_only("body_kjt", "admin", ok=409, inst_dhu=403), kwargs=pk(_project), method="post"
    ),
    "api:milestone-detail": Access(
        api_only("inst_dhu", "body_kjt", "admin"), kwargs=lambda p: {"pk": _project(p).milestones.first().pk}
    ),
    "api:milestone-report": Access(
        api_only("inst_dhu", body_kjt=403, admin=403),
        kwargs=lambda p: {"pk": _project(p).milestones.first().pk},
        method="post",
        data={"text": "小试完成"},
    ),
    "api:milestone-accept": Access(
        api_only("inst_dhu", "body_kjt", "admin", ok=409),
        kwargs=lambda p: {"pk": _project(p).milestones.first().pk},
        method="post",
    ),
    "api:milestone-rework": Access(
        api_only("inst_dhu", "body_kjt", "admin", ok=409),
        kwargs=lambda p: {"pk": _project(p).milestones.first().pk},
        method="post",
        data={"reason": "补充材料"},
    ),
    "api:achievement-list": Access(api(200)),
    "api:achievement-detail": Access(api_only("inst_dhu", "admin"), kwargs=_achievement),
}
