"""The content half of the permission matrix: who reads which part of an order, on every surface.

The README's read-policy table, as data. `build_world(phase, users)` walks one 晋江 innovation order to a
phase (published, withdrawn, docking, resolved, closed), putting a distinct marker string into every part
the policy governs: contact name and phone, moderation reasons, comments and their author, the handler, the
invitation note, matches, three providers' proposals and attachments (name and content), the county's
accept and decline notes, the outcome and the close / withdrawal reasons. `tests/test_content_matrix.py`
then reads the order as each persona through every surface (order page, API detail/list/events/matches/
responses/response detail, attachment downloads, the XLSX export, notifications, e-mails, inbox) and checks
that each marker appears exactly where this table says.
"""

from dataclasses import dataclass, field

# --- the policy, by role -----------------------------------------------------------------------------

# Categories: what a marker is, as far as the read policy is concerned.
PUBLIC = "public"  # the order's own fields and attachments
CONTACT = "contact"  # contact name and phone
STATE_NOTE = "state_note"  # return / reject / close reason on the order
TIMELINE_NOTE = "timeline_note"  # a note of a timeline entry (comments, reasons, uploads, handler …)
ACTOR = "actor"  # who wrote a timeline entry
HANDLER = "handler"  # the taking body's handler
MATCHES = "matches"  # the order's ranked matches
OUTCOME = "outcome"  # the outcome of a resolved order


def response_of(persona: str) -> str:
    """Category of the response (proposal, attachments, the county's note on it) of a provider persona."""
    return f"response:{persona}"


def invitation_of(persona: str) -> str:
    """Category of the invitation of a provider persona (its note)."""
    return f"invitation:{persona}"


def match_of(persona: str) -> str:
    """Category of a provider's own match (its catalog entry's score and reasons, on 为我匹配的需求)."""
    return f"match:{persona}"


RESPONDERS = ("inst_dhu", "firm_demo", "bank_cib")
PROVIDERS = (*RESPONDERS, "bank_other")
# Pages only providers have (404 for every other role).
PROVIDER_PAGES = ("page_matched", "page_my_responses")
INVITED = ("firm_demo",)
GOVERNMENT = frozenset(
    {PUBLIC, CONTACT, STATE_NOTE, TIMELINE_NOTE, ACTOR, HANDLER, MATCHES, OUTCOME}
    | {response_of(p) for p in RESPONDERS}
    | {invitation_of(p) for p in INVITED}
)

# Roles of the table. Outsiders do not see the order at all (404).
COUNTY, CITY, ROUTED_BODY, TAKING_BODY, ADMIN = "county", "city", "routed_body", "taking_body", "admin"
PENDING, ACCEPTED, DECLINED, UNINVITED = (
    "provider_pending",
    "provider_accepted",
    "provider_declined",
    "uninvited",
)
OUTSIDER = "outsider"
GOVERNMENT_ROLES = (COUNTY, CITY, ROUTED_BODY, TAKING_BODY, ADMIN)

PHASES = ("published", "withdrawn", "docking", "resolved", "closed")
CLAIMED_PHASES = ("docking", "resolved", "closed")
# The phases an order passes through to reach each phase.
PATH = {
    "published": ("published",),
    "withdrawn": ("published", "withdrawn"),
    "docking": ("published", "docking"),
    "resolved": ("published", "docking", "resolved"),
    "closed": ("published", "docking", "closed"),
}
RESPONDABLE_PHASES = ("published", "docking")

# The personas of the content matrix: the demo personas plus three extra ones (tests/conftest.py).
CONTENT_PERSONAS = (
    "county_jinjiang",
    "county_luoyuan",
    "city_quanzhou",
    "city_fuzhou",
    "body_kjt",
    "body_gxt",
    "body_jrb",
    "inst_dhu",
    "firm_demo",
    "bank_cib",
    "bank_other",
    "admin",
)


def role(persona: str, phase: str) -> str:
    """The persona's role towards the order in that phase."""
    if persona in ("county_luoyuan", "city_fuzhou", "body_jrb"):
        return OUTSIDER
    fixed = {"county_jinjiang": COUNTY, "city_quanzhou": CITY, "body_gxt": ROUTED_BODY, "admin": ADMIN}
    if persona in fixed:
        return fixed[persona]
    if persona == "body_kjt":
        return TAKING_BODY if phase in CLAIMED_PHASES else ROUTED_BODY
    if persona == "bank_other":  # sees an open order only while it may be responded to
        return UNINVITED if phase in RESPONDABLE_PHASES else OUTSIDER
    if phase in CLAIMED_PHASES and persona == "inst_dhu":
        return ACCEPTED
    if phase in CLAIMED_PHASES and persona == "bank_cib":
        return DECLINED
    return PENDING


def sees(persona: str, phase: str) -> frozenset[str]:
    """The categories the persona may read in that phase: the README table."""
    r = role(persona, phase)
    if r == OUTSIDER:
        return frozenset()
    if r in GOVERNMENT_ROLES:
        return GOVERNMENT
    allowed = {PUBLIC, response_of(persona), match_of(persona)}
    if persona in INVITED:
        allowed.add(invitation_of(persona))
    if r == ACCEPTED:
        allowed |= {CONTACT, OUTCOME}
    return frozenset(allowed)


# --- markers -----------------------------------------------------------------------------------------

# Every marker has the same length, so none is a substring of another.
_KEYS = (
    "contact_name", "order_att", "order_att_content", "return_reason", "approve_note", "county_comment",
    "city_comment", "admin_comment", "body_comment", "actor", "handler", "invite_note", "match_name",
    "match_reason", "accept_note", "decline_note", "summary", "partner", "close_reason", "withdraw_reason",
    *(f"{kind}_{p}" for p in RESPONDERS for kind in ("proposal", "att", "att_content")),
)  # fmt: skip
MARKERS = {key: f"MKQ{n:03d}Z" for n, key in enumerate(_KEYS)}
MARKERS["contact_phone"] = "13911117265"
MARKERS["outcome_amount"] = "7654321"

# Which markers exist once the order reached a phase.
_PUBLISHED = {
    "contact_name", "contact_phone", "order_att", "order_att_content", "return_reason", "approve_note",
    "county_comment", "city_comment", "admin_comment", "actor", "invite_note", "match_name", "match_reason",
    *(f"{kind}_{p}" for p in RESPONDERS for kind in ("proposal", "att", "att_content")),
}  # fmt: skip
_DOCKING = _PUBLISHED | {"handler", "body_comment", "accept_note", "decline_note"}
PRESENT = {
    "published": _PUBLISHED,
    "withdrawn": _PUBLISHED | {"withdraw_reason"},
    "docking": _DOCKING,
    "resolved": _DOCKING | {"summary", "partner", "outcome_amount"},
    "closed": _DOCKING | {"close_reason"},
}


def _responses(**kinds) -> dict[str, set[str]]:
    """{response category: marker keys} for the given kinds of marker of every responder."""
    out: dict[str, set[str]] = {}
    for p in RESPONDERS:
        out[response_of(p)] = {f"{kind}_{p}" for kind in kinds.get("each", ())}
    for key, p in kinds.get("notes", {}).items():
        out.setdefault(response_of(p), set()).add(key)
    return out


_UPLOADS = {"order_att", *(f"att_{p}" for p in RESPONDERS)}  # noted on the timeline when uploaded
_TIMELINE_NOTES = {
    "return_reason", "approve_note", "county_comment", "city_comment", "admin_comment", "body_comment",
    "handler", "summary", "close_reason", "withdraw_reason", *_UPLOADS,
}  # fmt: skip
_DECISION_NOTES = {"accept_note": "inst_dhu", "decline_note": "bank_cib"}

# Surface → {category: marker keys it shows through that category}. A marker shown through several
# categories is readable when the viewer may read any of them.
SURFACES: dict[str, dict[str, set[str]]] = {
    "page": {
        PUBLIC: {"order_att"},
        CONTACT: {"contact_name", "contact_phone"},
        STATE_NOTE: {"close_reason"},
        TIMELINE_NOTE: _TIMELINE_NOTES,
        ACTOR: {"actor"},
        HANDLER: {"handler"},
        MATCHES: {"match_name", "match_reason"},
        OUTCOME: {"summary", "partner"},
        invitation_of("firm_demo"): {"invite_note"},
        # the page shows a decline note, not an accept note
        **_responses(each=("proposal", "att"), notes={"decline_note": "bank_cib"}),
    },
    "api_detail": {
        PUBLIC: {"order_att"},
        CONTACT: {"contact_name", "contact_phone"},
        STATE_NOTE: {"close_reason"},
        HANDLER: {"handler"},
        OUTCOME: {"summary", "partner", "outcome_amount"},
        invitation_of("firm_demo"): {"invite_note"},
    },
    "api_list": {
        CONTACT: {"contact_name", "contact_phone"},
        STATE_NOTE: {"close_reason"},
        HANDLER: {"handler"},
    },
    "api_events": {TIMELINE_NOTE: _TIMELINE_NOTES, ACTOR: {"actor"}},
    "api_matches": {MATCHES: {"match_name", "match_reason"}},
    "api_responses": _responses(each=("proposal", "att"), notes=_DECISION_NOTES),
    "api_response_detail": _responses(each=("proposal", "att"), notes=_DECISION_NOTES),
    "downloads": {PUBLIC: {"order_att_content"}, **_responses(each=("att_content",))},
    "export": {OUTCOME: {"outcome_amount"}},
    # A provider's pages: its own matches (the world's match is 东华大学's) and its own responses.
    "page_matched": {match_of("inst_dhu"): {"match_name", "match_reason"}},
    "page_my_responses": {response_of("bank_cib"): {"decline_note"}},
    # The order lists show public fields only.
    "page_list": {},
}

# Notifications and e-mails: what they may carry (the recipient reads it through one of these categories).
NOTIFICATION_CARRIES: dict[str, set[str]] = {
    TIMELINE_NOTE: _TIMELINE_NOTES,
    OUTCOME: {"summary"},
    invitation_of("firm_demo"): {"invite_note"},
    response_of("inst_dhu"): {"accept_note"},
    response_of("bank_cib"): {"decline_note"},
}
# And what each persona must have received (a few per phase: the notification rules are not all-to-all).
NOTIFIED: dict[tuple[str, str], set[str]] = {
    ("county_jinjiang", "published"): {"return_reason", "approve_note", "city_comment", "admin_comment"},
    ("county_jinjiang", "docking"): {"body_comment"},
    ("county_jinjiang", "resolved"): {"summary"},
    ("county_jinjiang", "closed"): {"close_reason"},
    ("city_quanzhou", "published"): {"county_comment", "admin_comment"},
    ("city_quanzhou", "withdrawn"): {"withdraw_reason"},
    ("city_quanzhou", "resolved"): {"summary"},
    ("body_kjt", "withdrawn"): {"withdraw_reason"},
    ("body_gxt", "withdrawn"): {"withdraw_reason"},
    ("firm_demo", "published"): {"invite_note"},
    ("inst_dhu", "docking"): {"accept_note"},
    ("inst_dhu", "resolved"): {"accept_note", "summary"},
    ("bank_cib", "docking"): {"decline_note"},
}


def expected(persona: str, phase: str, surface: dict[str, set[str]]) -> set[str]:
    """Marker keys the persona must read on a surface in a phase (all the others must be absent)."""
    allowed = sees(persona, phase)
    keys = set()
    for category, markers in surface.items():
        if category in allowed:
            keys |= markers
    return keys & PRESENT[phase]


# --- the world -----------------------------------------------------------------------------------------


@dataclass
class World:
    """The order in its phase and the ids the surfaces need."""

    phase: str
    order: object
    responses: dict[str, object] = field(default_factory=dict)  # provider persona → Proposal
    attachments: list = field(default_factory=list)


def _pdf(key: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = f"%PDF-1.4\n{MARKERS[key.replace('att', 'att_content', 1)]}\n".encode()
    return SimpleUploadedFile(f"{MARKERS[key]}.pdf", content, content_type="application/pdf")


def build_world(phase: str, users: dict) -> World:
    """Walk one 晋江 innovation order to `phase`, writing every marker on the way (see module docstring)."""
    from accounts.models import User
    from matchmaking import services
    from matchmaking.models import Attachment, Match
    from tests.matchmaking.conftest import order_data

    m = MARKERS
    county, admin, city = users["county_jinjiang"], users["admin"], users["city_quanzhou"]
    kjt = users["body_kjt"]
    actor = User.objects.create_user(
        "county_actor", "actor@example.com", "x", organization=county.organization, last_name="县",
        first_name=m["actor"],
    )  # fmt: skip
    handler = User.objects.create_user(
        "kjt_handler", "handler@example.com", "x", organization=kjt.organization, last_name="承办",
        first_name=m["handler"],
    )  # fmt: skip
    data = order_data(county, contact_name=f"陈{m['contact_name']}", contact_phone=m["contact_phone"])
    order = services.create_order(by=county, data=data, files=[_pdf("order_att")])
    services.submit_order(order, by=county)
    services.return_order(order, by=admin, reason=m["return_reason"])
    services.submit_order(order, by=county)
    services.approve_order(order, by=admin, note=m["approve_note"])
    Match.objects.filter(order=order).delete()
    Match.objects.create(
        order=order, resource_type="institution", resource_id=1, resource_name=m["match_name"],
        provider_org=users["inst_dhu"].organization, rank=1, score=0.9, reasons=[m["match_reason"]],
    )  # fmt: skip
    services.comment_order(order, by=actor, note=m["county_comment"])
    services.comment_order(order, by=city, note=m["city_comment"])
    services.comment_order(order, by=admin, note=m["admin_comment"])
    services.invite_provider(
        order, by=admin, provider_org=users["firm_demo"].organization, note=m["invite_note"]
    )
    world = World(phase, order)
    for p in RESPONDERS:
        world.responses[p] = services.respond(
            order, by=users[p], proposal=f"{m[f'proposal_{p}']} 联合攻关方案说明", files=[_pdf(f"att_{p}")]
        )
    if phase == "withdrawn":
        services.withdraw_order(order, by=county, reason=m["withdraw_reason"])
    if phase in CLAIMED_PHASES:
        services.claim_order(order, by=kjt, handler=handler)
        services.comment_order(order, by=kjt, note=m["body_comment"])
        services.accept_proposal(world.responses["inst_dhu"], by=county, note=m["accept_note"])
        services.decline_proposal(
            world.responses["bank_cib"], by=county, reason_category="terms", note=m["decline_note"]
        )
    if phase == "resolved":
        services.resolve_order(
            order, by=kjt, outcome_type="agreement", summary=m["summary"], partner=m["partner"],
            amount_yuan=int(m["outcome_amount"]),
        )  # fmt: skip
    if phase == "closed":
        services.close_order(order, by=kjt, reason=m["close_reason"])
    order.refresh_from_db()
    world.attachments = list(Attachment.objects.filter(order=order))
    return world
