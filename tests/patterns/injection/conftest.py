import pytest

from switchboard.patterns.injection.scanner import Scanner
from tests.patterns.injection.cases import rules_only


@pytest.fixture(scope="module")
def rules() -> Scanner:
    return rules_only()
