import pytest
import sqlalchemy as sa

from tests.support.aria import aria_database


@pytest.fixture(params=["online", "offline"])
def mode(request: pytest.FixtureRequest) -> str:
    """Every adoption runs both ways an operator may deploy: the CLI, or --sql through psql."""
    return request.param


@pytest.fixture(params=["feb18", "current"])
def era(request: pytest.FixtureRequest) -> str:
    """Both eras of a real Aria database (../shared/aria/DEPLOYMENTS.md)."""
    return str(request.param)


@pytest.fixture
def aria(database_url: sa.URL, era: str) -> sa.URL:
    """An Aria database of ``era`` holding every kind of legacy row, not migrated yet."""
    aria_database(database_url, era)
    return database_url
