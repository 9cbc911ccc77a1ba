"""The entry point for ``celery -A workers.worker worker``: a Flask app and its Celery app."""

from app import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
