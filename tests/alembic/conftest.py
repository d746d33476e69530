import pytest


@pytest.fixture(params=["online", "offline"])
def mode(request: pytest.FixtureRequest) -> str:
    """Every adoption runs both ways an operator may deploy: the CLI, or --sql through psql."""
    return request.param
