"""One-time form tokens: a second POST of the same rendered form (Back then submit again, a double click, a
resent request) changes nothing and shows the first result.

A page renders `{{ form_token }}` (the hidden field `form_token`, a fresh random value per rendered form, kept
when an invalid form is shown again). The view wraps its change in `consume(request, result_url)`: the token is
stored in the same transaction as the change, under a unique index, so of two concurrent POSTs one commits and
the other fails on the index and rolls back. Before the change the view asks `first_result(request)`: when the
posted token was consumed already, it redirects there with a message instead."""

import secrets
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import FormSubmission

FIELD = "form_token"


def posted(request) -> str:
    """The token the POST carried (empty for a GET or a form rendered before tokens existed)."""
    return (request.POST.get(FIELD) or "").strip()[:64] if request.method == "POST" else ""


def current(request) -> str:
    """The token to render: the posted one again when the form is shown again, else a new one."""
    return posted(request) or secrets.token_urlsafe(24)


def first_result(request):
    """A redirect to the first result when the posted token was used already (with a message), else None."""
    token = posted(request)
    if not token:
        return None
    done = FormSubmission.objects.filter(token=token, user=request.user).only("result_url").first()
    if done is None:
        return None
    messages.info(request, _("该表单已提交过，未重复处理；以下是首次提交的结果。"))
    return redirect(done.result_url)


def already_submitted(request):
    """The answer to a POST that lost the race for its token: the first result, or (a token not the user's
    own) back to the form with a message."""
    first = first_result(request)
    if first is not None:
        return first
    messages.error(request, _("该表单已提交过或已失效，请重新填写。"))
    return redirect(request.get_full_path())


class AlreadySubmitted(Exception):
    """A concurrent POST of the same form consumed the token first."""


class Submission:
    """What `consume` yields: the view sets `url`, the page of the change's result."""

    url = "/"


@contextmanager
def consume(request):
    """Run the change and store the token in one transaction (the view sets `.url` of what it yields). Raises
    AlreadySubmitted, with the change rolled back, when another POST of the same form won."""
    token = posted(request)
    submission = Submission()
    try:
        with transaction.atomic():
            yield submission
            if token:
                FormSubmission.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
                with transaction.atomic():
                    FormSubmission.objects.create(
                        user=request.user, token=token, result_url=str(submission.url)
                    )
    except IntegrityError as exc:
        if token and FormSubmission.objects.filter(token=token).exists():
            raise AlreadySubmitted from exc
        raise


def _ttl() -> timedelta:
    return timedelta(days=settings.FORM_TOKEN_TTL_DAYS)
