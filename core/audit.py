"""Recording staff changes (who, what, before and after, when) as append-only AuditEntry rows."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.choices import AuditAction
from core.models import AuditEntry

SKIPPED_FIELDS = {"password", "last_login", "updated_at"}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model | None) -> dict:
    """The record's concrete field values (foreign keys as ids) and many-to-many ids, as JSON-ready data."""
    if obj is None or obj.pk is None:
        return {}
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        data[field.attname] = _plain(getattr(obj, field.attname))
    for field in obj._meta.many_to_many:
        data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    if "password" in {f.name for f in obj._meta.concrete_fields}:
        data["password_set"] = bool(getattr(obj, "password", ""))
    return data


def fresh_snapshot(obj: models.Model) -> dict:
    """Snapshot of the row as currently stored (before an in-memory change is saved)."""
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored)


def record_change(obj, before: dict, *, actor=None, channel: str, deleted: bool = False) -> AuditEntry | None:
    """Write one AuditEntry for the difference between `before` and the object's current state (if any)."""
    after = {} if deleted else snapshot(obj)
    if deleted:
        action = AuditAction.DELETE
        changes = {key: [value, None] for key, value in before.items()}
    elif not before:
        action = AuditAction.CREATE
        changes = {key: [None, value] for key, value in after.items() if value not in (None, "", [])}
    else:
        action = AuditAction.UPDATE
        changes = {
            key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }
        if not changes:
            return None
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else channel,
        channel=channel,
        action=action,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk if obj.pk is not None else before.get("id", "")),
        object_repr=str(obj)[:200],
        changes=changes,
    )


class AuditedAdminMixin:
    """ModelAdmin mixin: every save and delete made in the admin writes an AuditEntry in the same transaction."""

    audit_channel = "管理后台"

    def save_model(self, request, obj, form, change):
        request._audit_before = fresh_snapshot(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        record_change(
            form.instance,
            getattr(request, "_audit_before", {}),
            actor=request.user,
            channel=self.audit_channel,
        )

    def delete_model(self, request, obj):
        before, pk = snapshot(obj), obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        record_change(obj, before, actor=request.user, channel=self.audit_channel, deleted=True)

    def delete_queryset(self, request, queryset):
        rows = [(obj, snapshot(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before in rows:
            obj.pk = before.get("id")
            record_change(obj, before, actor=request.user, channel=self.audit_channel, deleted=True)


class AuditedResourceMixin:
    """Import-export resource mixin: every row an import creates or changes writes an AuditEntry."""

    def before_save_instance(self, instance, row, **kwargs):
        self._audit_before = fresh_snapshot(instance)
        super().before_save_instance(instance, row, **kwargs)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if kwargs.get("audit") is False:  # loading the reference data that ships with the project
            return
        user = kwargs.get("user")
        channel = "表格导入（管理后台）" if user is not None else "表格导入（命令行）"
        record_change(instance, getattr(self, "_audit_before", {}), actor=user, channel=channel)
