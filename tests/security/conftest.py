"""The integration fixtures (a migrated database per backend, the FakeClock, the app
factory), shared with the security tests."""

from tests.integration.conftest import (  # noqa: F401
    FakeClock,
    clock,
    database_url,
    db,
    make_app_for_test,
)
