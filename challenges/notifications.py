"""Who hears what about challenges: in-app messages (and their e-mails) through matchmaking's `notify`.

Sealed bids hold here too: nobody but the bidder hears of a bid before the deadline (not the publisher, not the
panel, not an administrator); after the deadline the publisher and the panel hear how many bids came in, each
bidder hears only its own result (and, if unsuccessful, the reason category), never another bidder's.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from matchmaking.choices import NotificationKind
from matchmaking.models import Subscription
from matchmaking.notifications import _users, admins, notify, org_users


def _title(challenge_or_list, text: str) -> str:
    return f"{text}：{challenge_or_list.title}"


def bidder_users(bid):
    """Members of the bid's lead organization and of its registered consortium partners."""
    org_ids = [
        bid.bidder_org_id,
        *bid.partners.exclude(organization=None).values_list("organization_id", flat=True),
    ]
    # a member who sits on the challenge's panel hears of the bid only as an expert
    return org_users(org_ids).exclude(panels__challenge_id=bid.challenge_id)


def publisher_users(challenge_list):
    """Members of the organization that publishes the list (and, for a county's list, the county)."""
    q = Q(organization_id=challenge_list.publisher_org_id)
    if challenge_list.county_id:
        q |= Q(organization__kind="county", organization__county_id=challenge_list.county_id)
    return _users().filter(q)


def panel_users(challenge):
    """The challenge's review panel."""
    return _users().filter(panels__challenge=challenge)


def list_event(challenge_list, kind: str, by, note: str = "") -> None:
    """Tell the parties of a list what happened to it."""
    if kind == "submitted":
        notify(
            admins(), NotificationKind.SUBMITTED, None, _title(challenge_list, _("新榜单待审核")), note, by
        )
    elif kind in ("approved", "returned"):
        text = _("榜单已审核通过，可以发布") if kind == "approved" else _("榜单被退回修改")
        notify(
            publisher_users(challenge_list),
            NotificationKind.PUBLISHED if kind == "approved" else NotificationKind.RETURNED,
            None,
            _title(challenge_list, text),
            note,
            by,
        )


def subscribers_for(challenge):
    """Users following the challenge's chain type (their 关注 names it)."""
    subs = Subscription.objects.filter(
        user__is_active=True, chain_types=challenge.chain_type_id
    ).select_related("user__organization")
    return [s.user for s in subs]


def challenges_published(challenges) -> int:
    """Tell subscribers of each challenge's chain type about the newly opened challenge; return how many."""
    told = 0
    for challenge in challenges:
        users = subscribers_for(challenge)
        body = _("榜额 %(f)s 元，揭榜截止 %(d)s。") % {
            "f": f"{challenge.funding_yuan:,}",
            "d": challenge.bid_deadline.strftime("%Y-%m-%d %H:%M"),
        }
        told += len(
            notify(
                users,
                NotificationKind.SUBSCRIPTION,
                None,
                _title(challenge, _("您关注的产业链发布了新榜")),
                body,
            )
        )
    return told


def bid_received(bid, by) -> None:
    """Confirm a bid to its own organization (only: the bid is sealed)."""
    notify(
        bidder_users(bid), NotificationKind.RESPONDED, None, _title(bid.challenge, _("揭榜方案已提交")), ""
    )


def bid_withdrawn(bid, by) -> None:
    """Confirm a withdrawal to the bidder's own organization (only)."""
    notify(
        bidder_users(bid), NotificationKind.WITHDRAWN, None, _title(bid.challenge, _("揭榜方案已撤回")), ""
    )


def deadline_passed(challenge, bid_count: int) -> None:
    """After the deadline: the publisher and the panel learn how many bids came in."""
    body = _("共收到 %(n)s 份揭榜方案。") % {"n": bid_count}
    users = list(publisher_users(challenge.list)) + list(panel_users(challenge))
    notify(users, NotificationKind.REMINDER, None, _title(challenge, _("揭榜已截止，进入评审")), body)


def panel_invited(challenge, expert, by) -> None:
    """Tell an expert they sit on the panel."""
    notify([expert], NotificationKind.INVITED, None, _title(challenge, _("邀请您担任评审专家")), "", by)


def bid_decided(bid, by, note: str = "") -> None:
    """Tell one bidder its own result: awarded, or unsuccessful with the reason category."""
    challenge = bid.challenge
    if bid.state == "awarded":
        notify(
            bidder_users(bid),
            NotificationKind.ACCEPTED,
            None,
            _title(challenge, _("您的揭榜方案已中榜")),
            note,
            by,
        )
    else:
        body = _("原因类别：%(r)s") % {"r": bid.get_reason_category_display()}
        notify(
            bidder_users(bid),
            NotificationKind.DECLINED,
            None,
            _title(challenge, _("您的揭榜方案未中榜")),
            body,
            by,
        )


def milestone_event(milestone, kind: str, by, note: str = "") -> None:
    """Reported → the publisher; accepted or rework → the winner."""
    project = milestone.project
    challenge = project.challenge
    if kind == "reported":
        notify(
            publisher_users(challenge.list),
            NotificationKind.RESPONDED,
            None,
            _title(challenge, _("里程碑进展待验收")),
            milestone.title,
            by,
        )
    elif kind == "accepted":
        notify(
            bidder_users(project.bid),
            NotificationKind.ACCEPTED,
            None,
            _title(challenge, _("里程碑已通过验收")),
            f"{milestone.title} {note}".strip(),
            by,
        )
    elif kind == "rework":
        notify(
            bidder_users(project.bid),
            NotificationKind.RETURNED,
            None,
            _title(challenge, _("里程碑需整改")),
            f"{milestone.title}：{note}",
            by,
        )


def milestone_overdue(milestone, escalate: bool) -> None:
    """Remind the winner of an overdue milestone; escalate to the publisher and administrators."""
    project = milestone.project
    challenge = project.challenge
    text = _("里程碑“%(m)s”已逾期（计划 %(d)s）") % {"m": milestone.title, "d": milestone.due_date}
    if escalate:
        users = list(publisher_users(challenge.list)) + list(admins())
        notify(users, NotificationKind.ESCALATED, None, _title(challenge, _("里程碑逾期上报")), text)
    else:
        notify(
            bidder_users(project.bid),
            NotificationKind.REMINDER,
            None,
            _title(challenge, _("里程碑逾期提醒")),
            text,
        )


def project_accepted(project, by, note: str = "") -> None:
    """Final acceptance: the winner and the publisher."""
    users = list(bidder_users(project.bid)) + list(publisher_users(project.challenge.list))
    notify(
        users,
        NotificationKind.RESOLVED,
        None,
        _title(project.challenge, _("攻关项目已通过最终验收")),
        note,
        by,
    )
