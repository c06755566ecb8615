"""The models' own get_FOO_display() (one enum lookup) return what Django's generated ones return."""

import pytest
from django.db import models
from django.utils import translation

from matchmaking.models import Notification, Order, Proposal


@pytest.mark.parametrize(
    ("model", "field"), [(Order, "kind"), (Order, "state"), (Proposal, "state"), (Notification, "kind")]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_same_labels_as_django(model, field, language):
    django_display = models.Model._get_FIELD_display
    choices = model._meta.get_field(field).choices
    with translation.override(language):
        for value in [v for v, _label in choices] + ["", "no-such-value"]:
            obj = model(**{field: value})
            ours = getattr(obj, f"get_{field}_display")()
            assert ours == django_display(obj, model._meta.get_field(field))
            assert isinstance(ours, str)
