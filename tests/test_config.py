import pytest

from app import create_app


def test_secret_key_is_generated_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": str(instance)})
    second = create_app({"INSTANCE_PATH": str(instance)})
    key = first.config["SECRET_KEY"]
    assert len(key) >= 64
    assert second.config["SECRET_KEY"] == key
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://127.0.0.1/test")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://127.0.0.1/test"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'queries.sqlite3'}"


def test_settings_of_the_ask_form_and_cookies_are_read_with_their_types(tmp_path, monkeypatch):
    monkeypatch.setenv("ASK_MIN_FILL_SECONDS", "2.5")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "true")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("QUERY_RETENTION_DAYS", "90")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["ASK_MIN_FILL_SECONDS"] == 2.5
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["TRUSTED_PROXIES"] == 1
    assert app.config["QUERY_RETENTION_DAYS"] == 90
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_postgresql_without_a_secret_key_refuses_to_start(tmp_path, monkeypatch):
    """Each server would generate a key of its own, and refuse the others' sessions and forms."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example/site")
    with pytest.raises(ValueError, match="SECRET_KEY must be set when DATABASE_URL is PostgreSQL"):
        create_app({"INSTANCE_PATH": str(tmp_path / "instance")})
    assert not (tmp_path / "instance" / "secret_key").exists()
    assert create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "shared"})


@pytest.mark.parametrize("n", [2**16, 3 * 2**17, 0])
def test_a_weak_or_malformed_scrypt_cost_is_refused_outside_tests(tmp_path, n):
    with pytest.raises(ValueError, match="PASSWORD_SCRYPT_N"):
        create_app({"INSTANCE_PATH": str(tmp_path), "PASSWORD_SCRYPT_N": n})


def test_the_default_scrypt_cost_is_owasps_minimum(tmp_path):
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).config["PASSWORD_SCRYPT_N"] == 2**17
