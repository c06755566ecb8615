"""The only functions that change 揭榜挂帅 data. Each validates (via `workflow`), writes its ChallengeEvent in
the same transaction, tells the parties (`notifications`) and enqueues work on commit. They raise only
`WorkflowError` (code `illegal_transition`, `forbidden`, `invalid`, `deadline_passed`), which views turn into
messages and the API into 400/403/409.

One module per concern (`common`, `lists`, `bids`, `awards`); everything public is importable from `challenges.services`."""

from challenges.services.awards import (
    accept_milestone,
    accept_project,
    award_challenge,
    cancel_challenge,
    close_list,
    decline_award,
    remind_overdue_milestones,
    report_milestone,
    rework_milestone,
    save_achievement,
)
from challenges.services.bids import (
    add_bid_files,
    declare_conflict,
    eligibility_errors,
    org_region,
    submit_bid,
    submit_review,
    withdraw_bid,
)
from challenges.services.common import (
    ACHIEVEMENT_INPUTS,
    BID_INPUTS,
    BIDDER_KINDS,
    CHALLENGE_INPUTS,
    LIST_INPUTS,
    WorkflowError,  # the one error the services raise
    log,
)
from challenges.services.lists import (
    add_challenge,
    add_expert,
    approve_list,
    close_bidding,
    close_due_bidding,
    create_list,
    publish_list,
    return_list,
    submit_list,
    update_challenge,
    update_list,
)

__all__ = [
    "ACHIEVEMENT_INPUTS",
    "BIDDER_KINDS",
    "BID_INPUTS",
    "CHALLENGE_INPUTS",
    "LIST_INPUTS",
    "WorkflowError",
    "accept_milestone",
    "accept_project",
    "add_bid_files",
    "add_challenge",
    "add_expert",
    "approve_list",
    "award_challenge",
    "cancel_challenge",
    "close_bidding",
    "close_due_bidding",
    "close_list",
    "create_list",
    "declare_conflict",
    "decline_award",
    "eligibility_errors",
    "log",
    "org_region",
    "publish_list",
    "remind_overdue_milestones",
    "report_milestone",
    "return_list",
    "rework_milestone",
    "save_achievement",
    "submit_bid",
    "submit_list",
    "submit_review",
    "update_challenge",
    "update_list",
    "withdraw_bid",
]
