"""A county's input to an order, as the services take it: applying the form's fields, validating what is stored
(model validation skipped when it already passed with the same values), the completeness check before submission,
and storing uploaded files. Used by `matchmaking.services`; raises only `WorkflowError`.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validators import validate_due_date
from matchmaking.choices import EventKind
from matchmaking.models import Attachment, Order
from matchmaking.timeline import log_event
from matchmaking.uploads import UploadRejected, check_upload
from matchmaking.workflow import WorkflowError


def invalid(exc: ValidationError) -> WorkflowError:
    """A model validation error as the WorkflowError views and the API report, field by field."""
    errors = (
        {field: " ".join(str(m) for m in messages) for field, messages in exc.message_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": " ".join(exc.messages)}
    )
    return WorkflowError(_("填写内容有误：") + "；".join(errors.values()), code="invalid", errors=errors)


def store_files(order, files, by, response=None) -> list[Attachment]:
    """Check and store uploaded files on the order (or one of its responses) and log them on its timeline."""
    stored = []
    for upload in files or ():
        try:
            content_type = check_upload(upload)
        except UploadRejected as exc:
            raise WorkflowError(str(exc), code="invalid", errors={"attachments": str(exc)}) from exc
        attachment = Attachment(
            order=order,
            response=response,
            original_name=(upload.name or "")[-200:],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    if stored:
        names = "、".join(a.original_name for a in stored)
        log_event(order, EventKind.ATTACHED, by, note=names)
    return stored


def apply_inputs(order: Order, data: dict) -> list[str]:
    """Set the order's input fields from the form's data; the names of those that changed."""
    changed = []
    for name in Order.INPUTS:
        if name in data:
            attname = order._meta.get_field(name).attname
            before = getattr(order, attname)
            setattr(order, name, data[name])
            if getattr(order, attname) != before:
                changed.append(name)
    order.clear_other_kind_fields()
    if order.keywords:
        order.keywords = "；".join(order.keyword_list)
    return changed


# Fields the services set themselves on saving: a change of these alone needs no new model validation.
SYSTEM_FIELDS = frozenset({"id", "created_at", "updated_at", "match_inputs_at", "last_progress_at"})


def validated_values(order: Order) -> tuple:
    """The values model validation looks at (every concrete field but the ones the services stamp)."""
    return tuple(
        getattr(order, f.attname) for f in Order._meta.concrete_fields if f.attname not in SYSTEM_FIELDS
    )


def fetched_relations(order: Order) -> list[str]:
    """The chain and link set as rows read from the database (e.g. by the form): no existence query again."""
    fetched = []
    for name in ("chain", "link"):
        field = Order._meta.get_field(name)
        related = field.get_cached_value(order, default=None)
        if related is not None and not related._state.adding and related.pk == getattr(order, field.attname):
            fetched.append(name)
    return fetched


def full_clean(order: Order, changed=None) -> None:
    """Validate what is stored now (a draft may be incomplete); a desired date that is set or changed must
    lie within the allowed window (`core.validators.validate_due_date`). The model validation (its queries:
    foreign keys, constraints) is skipped when this instance passed it with the same values (e.g. created
    and submitted in one request)."""
    errors = {}
    values = validated_values(order)
    if getattr(order, "_validated_values", None) != values:
        try:
            # Its only constraint holds while the order is unpublished: no query for it then.
            order.full_clean(
                exclude=["created_by", "county", *fetched_relations(order)],
                validate_constraints=order.published_at is not None,
            )
        except ValidationError as exc:
            errors.update(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        else:
            order._validated_values = values
    if (changed is None or "due_date" in changed) and "due_date" not in errors:
        try:
            validate_due_date(order.due_date)
        except ValidationError as exc:
            errors["due_date"] = exc.messages
    if errors:
        raise invalid(ValidationError(errors))


def check_complete(order: Order) -> None:
    """Refuse to submit an order that is not complete (`Order.completeness_errors`)."""
    full_clean(order, changed=())
    errors = order.completeness_errors()
    if errors:
        raise invalid(ValidationError(errors))
