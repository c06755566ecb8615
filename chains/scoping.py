"""Who is looking, as chains sees it: the user's scope, read from the user object it is given.

chains sits below accounts (it never imports it). The accounts app gives every user a `scope` attribute
(`accounts.scoping.Scope`: plain ids and flags — is_admin, active, is_county/county_id, is_city/prefecture_id,
is_body/body_id, provider_kind); chains' querysets and policy read those fields and nothing else, so the one
access-control mechanism (`visible_to(user)`) also governs chains, without an import going up.
"""


def scope_of(user):
    """The user's scope, or None for anonymous visitors (and objects that carry none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "scope", None)
