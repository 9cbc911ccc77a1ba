"""Configuration: defaults for a laptop, then the environment, then a test dict."""

import os
from pathlib import Path

from competitions.core.keys import is_production

ROOT = Path(__file__).resolve().parents[2]


def _sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _secure_cookies(environ) -> bool:
    """Cookies only over HTTPS: ``SESSION_COOKIE_SECURE`` (1/0) if set, else when ``BASE_URL``
    is an https address."""
    chosen = environ.get("SESSION_COOKIE_SECURE", "").strip().lower()
    if chosen:
        return chosen in {"1", "true", "yes", "on"}
    return environ.get("BASE_URL", "").lower().startswith("https://")


def load_config(environ=os.environ) -> dict:
    """The settings from the environment, with embedded defaults (SQLite, a serverless broker).

    ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis; without them everything
    lives in ``instance/`` and Celery's broker is a table in a SQLite file.
    """
    instance = Path(environ.get("JINGSAI_INSTANCE", ROOT / "instance"))
    database_url = _sqlalchemy_url(
        environ.get("DATABASE_URL") or f"sqlite:///{instance / 'jingsai.sqlite'}"
    )
    redis_url = environ.get("REDIS_URL")
    if redis_url:
        broker, backend = redis_url, redis_url
    else:
        broker = f"sqla+sqlite:///{instance / 'celery-broker.sqlite'}"
        backend = f"db+sqlite:///{instance / 'celery-results.sqlite'}"
    return {
        #: Empty here: competitions.core.keys.resolve_keys fills them from instance files, or
        #: refuses to start when KEYS_REQUIRED (production) and they are not set.
        "SECRET_KEY": environ.get("SECRET_KEY") or None,
        "CERT_KEY": environ.get("JINGSAI_CERT_KEY") or None,
        #: Keys the seals of the audit chain (competitions/core/audit_chain.py).
        "AUDIT_KEY": environ.get("JINGSAI_AUDIT_KEY") or None,
        #: Encrypts ID numbers, phones and uploaded files; comma-separated, newest first (the
        #: first encrypts, any decrypts: competitions/core/crypto.py). INDEX_KEY keys the
        #: hashes kept beside ID numbers to find them.
        "DATA_KEY": environ.get("JINGSAI_DATA_KEY") or None,
        "INDEX_KEY": environ.get("JINGSAI_INDEX_KEY") or None,
        "KEYS_REQUIRED": is_production(environ),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": str(instance),
        #: Uploads above this are refused with a clear message (an import is ~1 MB per 20,000 rows).
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_UPLOAD_BYTES", 8 * 1024 * 1024)),
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": environ.get("JINGSAI_TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": {"zh_Hans_CN": "中文", "en": "English"},
        "BASE_URL": environ.get("BASE_URL", "http://127.0.0.1:5000"),
        #: The session and remember-me cookies: never readable by scripts, not sent with
        #: cross-site posts, and only over HTTPS when the site is served over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _secure_cookies(environ),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _secure_cookies(environ),
        #: Certificate PDFs: a folder every worker and web process can reach (a shared mount when
        #: they run on several machines; empty: <INSTANCE_DIR>/certificates), and the TrueType
        #: font embedded in them.
        "CERT_STORAGE_DIR": environ.get("CERT_STORAGE_DIR", ""),
        "CERT_FONT_PATH": environ.get(
            "CERT_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
        ),
        #: A log-in session ends after this many minutes without a request, and this many hours
        #: after the log-in whatever happens (competitions.accounts.rules.session_end).
        "SESSION_IDLE_MINUTES": float(environ.get("JINGSAI_SESSION_IDLE_MINUTES", 30)),
        "SESSION_MAX_HOURS": float(environ.get("JINGSAI_SESSION_MAX_HOURS", 12)),
        #: Years after final that contestants without an award keep their personal details,
        #: when their contests set none (privacy.rules.due_for_anonymising).
        "RETENTION_YEARS": int(environ.get("JINGSAI_RETENTION_YEARS", 3)),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        #: Redis down: limits are counted in each web process's memory until it is back, and a
        #: limiter error lets the request through rather than answering 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        #: Published pages and API answers are cached in Redis (JINGSAI_PAGE_CACHE=0: never).
        # A 工匠 selection's public vote: votes one address may cast a day (a bench raises it).
        "VOTE_ADDRESS_DAILY_LIMIT": int(environ.get("JINGSAI_VOTE_ADDRESS_LIMIT", "200")),
        "CACHE_REDIS_URL": redis_url if environ.get("JINGSAI_PAGE_CACHE", "1") != "0" else None,
        #: Lookups of one's own result per client (ID number + name).
        "LOOKUP_RATE_LIMIT": environ.get("JINGSAI_LOOKUP_LIMIT", "10 per minute"),
        #: Days a public objector's name and contact are kept after their objection is decided.
        "OBJECTOR_KEEP_DAYS": int(environ.get("JINGSAI_OBJECTOR_KEEP_DAYS", "365")),
        #: Public objections to a notice (a selection's, an innovation contest's) per address,
        #: all notices together: each holds the results back until the arbitrator decides it.
        "OBJECTION_RATE_LIMIT": environ.get("JINGSAI_OBJECTION_LIMIT", "3 per minute;20 per day"),
        #: Relations a judge may declare per hour (each goes to the organisers to act on).
        "DECLARATION_RATE_LIMIT": environ.get("JINGSAI_DECLARATION_LIMIT", "5 per hour"),
        #: How often the live board in the hall looks for newly published results.
        "BOARD_REFRESH_SECONDS": int(environ.get("JINGSAI_BOARD_REFRESH", 10)),
        #: The board shows each trade this many rows a page and turns to the next page (or trade)
        #: every so many seconds (a screen may ask for another pace with ?rotate=N).
        "BOARD_ROWS_PER_PAGE": int(environ.get("JINGSAI_BOARD_ROWS", 12)),
        "BOARD_ROTATE_SECONDS": int(environ.get("JINGSAI_BOARD_ROTATE", 8)),
        #: Public holidays and make-up working days (调休), ISO dates, comma-separated: the
        #: working-day count of public notice follows them.
        "HOLIDAYS": [d for d in environ.get("JINGSAI_HOLIDAYS", "").split(",") if d],
        "EXTRA_WORKDAYS": [d for d in environ.get("JINGSAI_EXTRA_WORKDAYS", "").split(",") if d],
        "CELERY": {
            "broker_url": broker,
            "result_backend": backend,
            "task_ignore_result": False,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "task_default_queue": environ.get("JINGSAI_QUEUE", "jingsai"),
            # Redis: a task whose worker died before acknowledging it goes to another worker
            # once it is this old (kombu's default, an hour); keep it above the longest task.
            "broker_transport_options": (
                {"visibility_timeout": int(environ.get("JINGSAI_TASK_VISIBILITY_S", 3600))}
                if redis_url
                else {}
            ),
            # Run by one `celery beat` (or a worker started with -B in the embedded setup).
            "beat_schedule": {
                "finalise-due-results": {"task": "publication.finalise_due", "schedule": 60.0},
                "seal-audit-log": {"task": "audit.seal", "schedule": 60.0},
                "refresh-statistics": {"task": "stats.refresh", "schedule": 60.0},
                "apply-retention": {"task": "privacy.apply_retention", "schedule": 86400.0},
                "forget-old-login-failures": {
                    "task": "accounts.forget_old_failures",
                    "schedule": 3600.0,
                },
            },
        },
    }
