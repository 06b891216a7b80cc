"""The rule tests' in-memory warehouse (tests/warehouse/conftest.py), for explain."""

from tests.warehouse.conftest import _warehouse, blank_warehouse  # noqa: F401
from tests.warehouse.models.conftest import con  # noqa: F401
