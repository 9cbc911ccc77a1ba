"""The Jingsai web application: ``create_app()`` builds it; nothing else runs at import."""

import logging
from pathlib import Path

from flask import (
    Flask,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from competitions.core import audit
from competitions.core.config import load_config
from competitions.core.db import IdConverter, db
from competitions.core.extensions import babel, csrf, limiter, login_manager, migrate
from competitions.core.http import referrer_or
from competitions.core.keys import resolve_keys
from competitions.core.queue import QueueUnavailable
from competitions.core.security import init_security


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config from defaults, then the environment, then ``test_config``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config())
    if test_config:
        app.config.update(test_config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    resolve_keys(app.config)
    for url in (app.config["CELERY"]["broker_url"], app.config["CELERY"]["result_backend"]):
        if "sqlite:///" in url:  # the embedded broker's folder must exist before it connects
            Path(url.split("sqlite:///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    _init_extensions(app)
    _register_blueprints(app)
    _connect_receivers()
    _register_hooks(app)
    _serve_cached_pages(app)

    from workers import celery_init_app

    celery_init_app(app)
    return app


def _select_locale():
    """The user's chosen language, else Simplified Chinese."""
    chosen = session.get("lang")
    return chosen if chosen in {"zh_Hans_CN", "en"} else "zh_Hans_CN"


def _init_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF, log-in and translations to the app."""
    # Importing the models registers them on the metadata.
    from competitions import models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path) / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None


def _connect_receivers() -> None:
    """Load every module that answers another area's signal (docs/ARCHITECTURE.md, section 4),
    named here so that a rule such as "final results' marks stay" never depends on which pages
    happen to be imported: the web processes, the workers and the CLI all build the app."""
    from competitions.assessment import services as assessment  # the audit log's namers
    from competitions.publication import services as publication  # result_set_refusals
    from competitions.publication.services import cache  # results_changed
    from competitions.results import services as results  # marks_may_change
    from competitions.results import tasks as results_tasks  # marks_locked
    from competitions.tiers.services import outside  # results' SCORE_SOURCES: outside lists

    del assessment, publication, cache, results, results_tasks, outside


def _serve_cached_pages(app: Flask) -> None:
    """Cached public pages for visitors without a cookie, and the public vote's votes sent by
    its page's script, answered before the app's request handling
    (competitions/publication/services/cache.py, ``CachedPages``;
    competitions/selection/voting.py, ``VoteFastPath``)."""
    from competitions.publication.services.cache import CachedPages
    from competitions.selection.voting import VoteFastPath

    app.wsgi_app = CachedPages(app, VoteFastPath(app, app.wsgi_app))


def _register_blueprints(app: Flask) -> None:
    """Mount every area's blueprint and the CLI commands."""
    app.url_map.converters["int"] = IdConverter  # before any route is added
    from competitions.accounts.cli import accounts_command
    from competitions.accounts.views import bp as accounts_bp
    from competitions.admin.views import bp as admin_bp
    from competitions.auditlog.views import bp as audit_bp
    from competitions.backup.cli import backup_command
    from competitions.certificates.views import bp as certificates_bp
    from competitions.contestday.views import bp as contestday_bp
    from competitions.core.audit_cli import audit_command
    from competitions.core.keys_cli import keys_command
    from competitions.core.views import bp as core_bp
    from competitions.enrolment.views import bp as enrolment_bp
    from competitions.imports.views import bp as imports_bp
    from competitions.innovation.views import bp as innovation_bp
    from competitions.judging.views import bp as judging_bp
    from competitions.labour.views import bp as labour_bp
    from competitions.overview.views import bp as overview_bp
    from competitions.privacy.views import bp as privacy_bp
    from competitions.publication.views import bp as publication_bp
    from competitions.publication.views.api import bp as api_bp
    from competitions.publication.views.public import bp as public_bp
    from competitions.publication.views.results import bp as published_bp
    from competitions.registry.views import bp as registry_bp
    from competitions.results.views import bp as results_bp
    from competitions.review.views import bp as review_bp
    from competitions.selection.views import bp as selection_bp
    from competitions.stats.views import bp as stats_bp
    from competitions.tiers.views import bp as tiers_bp
    from seeds.cli import seed_command

    for bp in (
        core_bp,
        overview_bp,
        privacy_bp,
        accounts_bp,
        admin_bp,
        registry_bp,
        enrolment_bp,
        imports_bp,
        judging_bp,
        review_bp,
        labour_bp,
        selection_bp,
        innovation_bp,
        results_bp,
        publication_bp,
        public_bp,
        published_bp,
        api_bp,
        certificates_bp,
        contestday_bp,
        audit_bp,
        stats_bp,
        tiers_bp,
    ):
        app.register_blueprint(bp)
    app.cli.add_command(seed_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(audit_command)
    app.cli.add_command(accounts_command)
    app.cli.add_command(keys_command)


def _register_hooks(app: Flask) -> None:
    """Per-request audit actor, security headers, template globals, and friendly errors."""
    init_security(app)

    @app.before_request
    def _refuse_nul_characters():
        # No field takes a NUL character and PostgreSQL text cannot hold one: refuse it before
        # any query sees it (files are not looked at: they are bytes).
        if _holds_nul():
            message = _("The request holds a NUL character, which no field accepts.")
            if request.is_json:
                return jsonify(error=message), 400
            abort(400, message)

    @app.before_request
    def _audit_actor():
        if request.endpoint == "static":
            return
        # Each request finds its own user and language, even when an app context is shared
        # (as tests do); in production every request has a fresh context anyway.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        g.pop("csrf_token", None)
        audit.set_actor(current_user.id if current_user.is_authenticated else None)
        audit.set_scope_from_url(request.view_args)

    from competitions.accounts.views.factor import password_change_first, second_factor_first

    app.before_request(second_factor_first)
    app.before_request(password_change_first)

    @app.teardown_request
    def _forget_actor(error=None):
        audit.set_actor(None)
        audit.set_scope_from_url(None)

    @app.context_processor
    def _globals():
        return {"languages": app.config["LANGUAGES"], "current_lang": _select_locale()}

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        flash(_("The file is too large: the limit is %(mb)s MB.", mb=limit), "error")
        return redirect(referrer_or(url_for("overview.index"))), 303

    @app.errorhandler(QueueUnavailable)
    def _queue_unavailable(error):
        # The job was marked failed where it was queued (competitions/core/queue.py).
        flash(
            _("The task queue cannot be reached right now, so nothing was started: try again."),
            "error",
        )
        return redirect(referrer_or(url_for("overview.index"))), 303

    for code in (400, 403, 404):
        app.register_error_handler(
            code, lambda e, code=code: (render_template("core/error.html", error=e), code)
        )


def _holds_nul() -> bool:
    """Whether the request's path, query, form fields or JSON body hold a NUL character."""
    if "\x00" in request.path:
        return True
    fields = (*request.args.items(multi=True), *request.form.items(multi=True))
    if any("\x00" in key or "\x00" in value for key, value in fields):
        return True
    return request.is_json and b"\\u0000" in request.get_data()
