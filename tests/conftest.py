from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from postgres import URL_VARIABLE, Cluster, new_database
from support import FeedServer, WebhookReceiver

from rasid.store import SQLStore, open_store


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server's URL: $RASID_TEST_POSTGRES_URL, or a private cluster started here."""
    url = os.environ.get(URL_VARIABLE)
    if url:
        yield url
        return
    try:
        cluster = Cluster()
    except (FileNotFoundError, subprocess.CalledProcessError) as exc:
        if os.environ.get("RASID_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield cluster.url
    cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh database for one test."""
    return new_database(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def open_state(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], SQLStore]:
    """Opens the test's state (again, when called again): a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        return lambda: open_store(tmp_path)
    url = request.getfixturevalue("postgres_url")
    return lambda: open_store(tmp_path, url)
