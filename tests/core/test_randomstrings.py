"""core.randomstrings: CSRF secrets and masks drawn in one read, of the same form, and still accepted."""

import re
from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client
from django.urls import reverse

from core.randomstrings import random_string

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_the_csrf_module_draws_with_it():
    assert csrf.get_random_string is random_string


def test_length_and_alphabet():
    assert random_string(0) == ""
    for length in (1, 32, 300):
        drawn = random_string(length, csrf.CSRF_ALLOWED_CHARS)
        assert len(drawn) == length
        assert set(drawn) <= set(csrf.CSRF_ALLOWED_CHARS)
    assert set(random_string(200, "ab")) == {"a", "b"}
    with pytest.raises(ValueError, match="1 to 256"):
        random_string(4, "")


def test_every_character_is_drawn():
    # 62 characters, 31,000 draws: each is expected ~500 times; none missing or far off but by a fluke of
    # probability below 1e-100.
    counts = Counter(random_string(31_000, csrf.CSRF_ALLOWED_CHARS))
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    assert 250 < min(counts.values()) <= max(counts.values()) < 750


def test_two_masks_of_one_secret_differ_and_unmask_alike():
    secret = csrf._get_new_csrf_string()
    first, second = csrf._mask_cipher_secret(secret), csrf._mask_cipher_secret(secret)
    assert first != second
    assert csrf._unmask_cipher_token(first) == csrf._unmask_cipher_token(second) == secret


@pytest.mark.django_db
def test_a_page_token_is_accepted_by_a_form_post():
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:login"))
    token = TOKEN.search(page.content.decode()).group(1)
    assert len(token) == csrf.CSRF_TOKEN_LENGTH
    data = {"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong-password-1"}
    assert client.post(reverse("accounts:login"), data).status_code != 403
    assert (
        client.post(reverse("accounts:login"), {**data, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    )
