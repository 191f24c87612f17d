"""The PostgreSQL checkpointer's errors, without a server (the real server test is in
tests/integration/test_postgres_real.py)."""

from __future__ import annotations

import pytest
from conftest import free_port

from stepresearch.core.errors import UsageError
from stepresearch.graphs import postgres_checkpointer


def test_an_unreachable_postgres_is_one_clear_error_that_hides_the_password():
    port = free_port()
    with pytest.raises(UsageError, match=rf"cannot connect to PostgreSQL at 127\.0\.0\.1:{port}/postgres") as caught:
        with postgres_checkpointer(f"postgresql://someone:secret@127.0.0.1:{port}/postgres"):
            pytest.fail("connected to a port nothing listens on")
    assert "secret" not in str(caught.value) and "\n" not in str(caught.value)
