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
