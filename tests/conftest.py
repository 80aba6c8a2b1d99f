from __future__ import annotations

import pytest

import weir


@pytest.fixture(scope="session")
def scanner() -> weir.Scanner:
    """One compiled Scanner over the built-in rules, shared by the whole session."""
    return weir.Scanner()
