"""Shared fixtures: reference data loaded once per session, and the fixed personas per role."""

import pytest

from chains.loaders import load_reference_data


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the shipped reference data once into the test database (tests run in rolled-back transactions)."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference(db):
    """Access to the loaded reference data (83 counties, 33 chain types, 59 chains, the catalog)."""
    from chains import models

    return models
