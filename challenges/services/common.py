"""What the challenge services share: inputs, scope, errors, the event log, state moves and files."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ProviderKind
from accounts.scoping import Scope
from challenges import workflow
from challenges.models import (
    ChallengeEvent,
    ChallengeFile,
)
from core.errors import ServiceError as WorkflowError
from matchmaking.uploads import UploadRejected, check_upload

LIST_INPUTS = ("title", "description")

CHALLENGE_INPUTS = (
    "title",
    "summary",
    "targets",
    "acceptance_criteria",
    "keywords",
    "chain_type",
    "chain",
    "link",
    "funding_yuan",
    "funder",
    "bid_deadline",
    "region_scope",
    "region_prefecture",
    "eligible_kinds",
    "joint_bids_allowed",
)

BID_INPUTS = ("lead_name", "lead_title", "team", "approach", "budget_yuan")

ACHIEVEMENT_INPUTS = (
    "title",
    "field",
    "summary",
    "keywords",
    "chain_type",
    "maturity",
    "ip_kind",
    "ip_number",
    "licensing",
    "licensing_terms",
    "is_published",
)

BIDDER_KINDS = (ProviderKind.INSTITUTION, ProviderKind.ENTERPRISE)


def _scope(user) -> Scope | None:
    return Scope.for_user(user) if user is not None else None


def _invalid(exc: ValidationError) -> WorkflowError:
    errors = (
        {field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": " ".join(exc.messages)}
    )
    return WorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def _clean(obj, exclude=()) -> None:
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def log(
    challenge_list,
    kind,
    by=None,
    *,
    challenge=None,
    bid=None,
    project=None,
    milestone=None,
    from_state="",
    to_state="",
    note="",
    at=None,
) -> ChallengeEvent:
    """Append one event; call inside the caller's transaction."""
    return ChallengeEvent.objects.create(
        list=challenge_list,
        challenge=challenge,
        bid=bid,
        project=project,
        milestone=milestone,
        kind=kind,
        actor=by,
        organization=getattr(by, "organization", None) if by is not None else None,
        from_state=from_state,
        to_state=to_state,
        note=(note or "")[:2000],
        created_at=at or timezone.now(),
    )


def _move(kind: str, obj, action: str, by, *, reason: str = "", changes: dict | None = None, now=None):
    """Lock the row, check the transition, apply it with a conditional update; return (locked row, from state)."""
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    transition = workflow.check(kind, locked, action, _scope(by), reason)
    fields = {"state": transition.target, **(changes or {})}
    if not model.objects.filter(pk=locked.pk, state=locked.state).update(**fields):
        raise WorkflowError(_("状态已被他人更改，请刷新后重试。"), code="illegal_transition")
    from_state = locked.state
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(obj, name, value)
    return locked, from_state


def _store_files(by, files, *, bid=None, report=None) -> list[ChallengeFile]:
    stored = []
    for upload in files or ():
        try:
            content_type = check_upload(upload)
        except UploadRejected as exc:
            raise WorkflowError(str(exc), code="invalid", errors={"attachments": str(exc)}) from exc
        row = ChallengeFile(
            bid=bid,
            report=report,
            original_name=(upload.name or "")[-200:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        row.file.save(upload.name, upload, save=False)
        row.save()
        stored.append(row)
    return stored
