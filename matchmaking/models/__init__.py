"""The orders domain's models, one module per part: orders (and their timeline, routing, outcome), proposals
(invitations, responses and attachments), matches, and notifications with subscriptions."""

from matchmaking.models.matches import Match
from matchmaking.models.notifications import Notification, NotificationPreference, Subscription
from matchmaking.models.orders import (
    AFTER_PUBLICATION,
    COUNTY_EDITABLE,
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    FINAL,
    HIDDEN_FROM_PROVIDERS,
    RESPONDABLE,
    TITLE_MAX,
    Order,
    OrderBeneficiary,
    OrderEvent,
    OrderEventQuerySet,
    OrderQuerySet,
    OrderRoute,
    Outcome,
    choice_label,
)
from matchmaking.models.proposals import (
    Attachment,
    AttachmentQuerySet,
    Invitation,
    Proposal,
    ProposalQuerySet,
    attachment_path,
)
from matchmaking.models.tally import OrderTally, OrderTallyQuerySet, ResponseTally

__all__ = [
    "AFTER_PUBLICATION",
    "COUNTY_EDITABLE",
    "DESCRIPTION_MAX",
    "DESCRIPTION_MIN",
    "FINAL",
    "HIDDEN_FROM_PROVIDERS",
    "RESPONDABLE",
    "TITLE_MAX",
    "Attachment",
    "AttachmentQuerySet",
    "Invitation",
    "Match",
    "Notification",
    "NotificationPreference",
    "Order",
    "OrderBeneficiary",
    "OrderEvent",
    "OrderEventQuerySet",
    "OrderQuerySet",
    "OrderRoute",
    "OrderTally",
    "OrderTallyQuerySet",
    "Outcome",
    "Proposal",
    "ProposalQuerySet",
    "ResponseTally",
    "Subscription",
    "attachment_path",
    "choice_label",
]
