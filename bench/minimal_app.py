"""The smallest Flask app, served the same way as ours: the baseline for memory and start-up."""

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    return app
