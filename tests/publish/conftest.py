"""The rule tests' in-memory warehouse (tests/warehouse/models/conftest.py), for explain."""

from tests.warehouse.models.conftest import _warehouse, con  # noqa: F401
