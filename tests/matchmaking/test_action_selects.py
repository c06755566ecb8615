"""The order page's claim and invite selects are built in Python and render what Django's select rendered."""

import re

import pytest
from django import forms

from matchmaking.forms import ClaimForm, FetchedModelChoiceField, InviteForm
from matchmaking.widgets import PlainSelect


def normalized(html) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(html))).strip()


@pytest.mark.django_db
def test_claim_and_invite_selects_render_as_django(body_kjt):
    for bound in (ClaimForm(user=body_kjt)["handler"], InviteForm()["provider_org"]):
        widget = bound.field.widget
        assert isinstance(widget, PlainSelect)
        slow = bound.as_widget(widget=forms.Select(attrs=widget.attrs, choices=widget.choices))
        assert normalized(bound.as_widget()) == normalized(slow)
    assert f'<option value="{body_kjt.pk}" selected>' in str(ClaimForm(user=body_kjt)["handler"])


@pytest.mark.django_db
def test_selects_fetch_the_choices_django_iterates(body_kjt):
    """One plain fetch (no server-side cursor), the same choices in the same order as Django's iterator."""
    for bound in (ClaimForm(user=body_kjt)["handler"], InviteForm()["provider_org"]):
        field = bound.field
        assert isinstance(field, FetchedModelChoiceField)
        expected = [(str(value), str(label)) for value, label in forms.models.ModelChoiceIterator(field)]
        assert expected
        assert [(str(value), str(label)) for value, label in field.widget.choices] == expected


@pytest.mark.django_db
def test_compiled_choice_queries_give_each_body_its_own_handlers(body_kjt, body_jrb):
    """The claim select's and invite select's queries are compiled once (core.compiledsql): later forms, of
    another body too, still list the choices Django's iterator lists."""
    for _round in range(2):
        for user in (body_kjt, body_jrb):
            for bound in (ClaimForm(user=user)["handler"], InviteForm()["provider_org"]):
                field = bound.field
                expected = [
                    (str(value), str(label)) for value, label in forms.models.ModelChoiceIterator(field)
                ]
                assert [(str(value), str(label)) for value, label in field.widget.choices] == expected
    handlers = [str(value) for value, _label in ClaimForm(user=body_jrb)["handler"].field.widget.choices]
    assert str(body_jrb.pk) in handlers and str(body_kjt.pk) not in handlers
