"""The Celery app, bound to Flask with the ``celery_init_app`` pattern from Flask's docs."""

from celery import Celery, Task
from flask import Flask

#: The areas whose ``tasks`` module the workers load (each area keeps its own tasks).
TASK_AREAS = [
    "competitions.core",
    "competitions.accounts",
    "competitions.imports",
    "competitions.results",
    "competitions.publication",
    "competitions.certificates",
    "competitions.contestday",
    "competitions.privacy",
    "competitions.stats",
    "competitions.labour",
    "competitions.selection",
    "competitions.innovation",
]


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app whose tasks run inside the Flask app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    if app.config["CELERY"]["broker_url"].startswith("sqla+"):
        # kombu's SQLAlchemy transport polls every second by default; its transport options go
        # to create_engine, so the interval is set on the class (measured: ~16 tasks/s one by one).
        from kombu.transport import sqlalchemy as kombu_sqla

        kombu_sqla.Transport.polling_interval = 0.05

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(app.config["CELERY"])
    celery_app.set_default()
    celery_app.autodiscover_tasks(TASK_AREAS, related_name="tasks", force=True)
    app.extensions["celery"] = celery_app
    return celery_app
