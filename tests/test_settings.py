from __future__ import annotations

import pytest

from credstack.errors import ConfigurationError
from credstack.settings import DEFAULT_MASTER_SECRET, Settings


def test_defaults_make_the_demo_work_without_configuration() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite:///")
    settings.check_for_serving()  # development mode accepts the default secret


def test_values_are_read_and_typed() -> None:
    settings = Settings.from_env(
        {
            "CREDSTACK_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/x",
            "CREDSTACK_DEVELOPMENT": "false",
            "CREDSTACK_MASTER_SECRET": "a-long-enough-secret-value",
            "CREDSTACK_FETCH_ALLOWLIST": "issuer.example, other.example",
            "CREDSTACK_MAX_DOCUMENT_BYTES": "2048",
        }
    )
    assert settings.development is False
    assert settings.fetch_allowlist == ("issuer.example", "other.example")
    assert settings.max_document_bytes == 2048
    settings.check_for_serving()


def test_server_refuses_default_secret_outside_development() -> None:
    settings = Settings.from_env({"CREDSTACK_DEVELOPMENT": "false"})
    assert settings.master_secret == DEFAULT_MASTER_SECRET
    with pytest.raises(ConfigurationError, match="CREDSTACK_MASTER_SECRET"):
        settings.check_for_serving()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CREDSTACK_DEVELOPMENT", "maybe", "true or false"),
        ("CREDSTACK_MAX_DOCUMENT_BYTES", "lots", "integer"),
        ("CREDSTACK_STATUS_LIST_SIZE", "1024", "131072"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        Settings.from_env({name: value})
    assert name in str(info.value)
