"""Access to 资料维护: a provider's own entries and revisions; the revision of 东华大学 (inst_dhu) is 404 for every
other organization (the other providers included) and readable by administrators, who moderate in the admin."""

from tests.access import Access, only

PROVIDERS = ("bank_cib", "inst_dhu", "firm_demo")


def _dhu_entry(personas):
    return {"resource_type": "institution", "pk": personas["inst_dhu"].organization.institution_id}


def _dhu_revision(personas):
    from profiles import entries, services

    user = personas["inst_dhu"]
    entry = entries.entry_of(user.organization, "institution", user.organization.institution_id)
    revision = services.submit_revision(
        by=user, entry=entry, data={"description": "新的简介：纺织科学与工程。"}
    )
    return {"pk": revision.pk}


ACCESS = {
    "profiles:mine": Access(only(*PROVIDERS)),
    "profiles:edit": Access(only("inst_dhu"), kwargs=_dhu_entry),
    "profiles:revision": Access(only("inst_dhu", "admin"), kwargs=_dhu_revision),
    "profiles:withdraw": Access(only("inst_dhu", ok=302), kwargs=_dhu_revision, method="post"),
}
