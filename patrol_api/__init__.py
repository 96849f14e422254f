"""The Flask application factory: config, extensions, blueprints and CLI, nothing else."""
import secrets

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from patrol_api import config as settings
from patrol_api.extensions import api, compress, db, limiter, migrate
from patrol_api.http.json_provider import OrjsonProvider


def create_app(config: dict | None = None) -> Flask:
    """Create the application; `config` overrides what the environment says."""
    app = Flask(__name__, static_folder=None)
    app.config.update(settings.STATIC_DEFAULTS)
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    settings.check(app.config)  # bad settings stop here, named, not at the first request
    _finish_config(app)
    app.json = OrjsonProvider(app)  # Korean text travels as UTF-8, not \uXXXX escapes
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    """Fill settings derived from others and configure logging."""
    from patrol_api.ops import logs

    # before the first use of app.logger: Flask gives it a handler of its own when no
    # handler is configured yet, and every app line was then printed twice
    logs.configure(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        app.logger.warning("SECRET_KEY is not set: using a random key for this process")
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:  # only behind a proxy: otherwise a client could forge its address
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def _init_extensions(app: Flask) -> None:
    """Bind the extensions and the database engine tuning."""
    from patrol_api import database, jobs, openapi
    from patrol_api.auth import access
    from patrol_api.findings import startup as findings
    from patrol_api.http import media_types, security_headers, url_limit
    from patrol_api.ops import logs, metrics

    logs.init_app(app)
    db.init_app(app)
    database.init_app(app)
    metrics.init_app(app)
    migrate.init_app(app, db, directory=str(database.MIGRATIONS_DIR), render_as_batch=True)
    compress.init_app(app)
    limiter.init_app(app)
    api.init_app(app, spec_kwargs=openapi.SPEC_KWARGS)
    openapi.declare_docs_public(app)
    jobs.init_app(app)
    findings.init_app(app)
    app.before_request(url_limit.enforce)  # first: no work for a URL that is refused
    app.before_request(access.enforce)
    app.before_request(media_types.enforce)
    app.after_request(security_headers.apply)


def _register_blueprints(app: Flask) -> None:
    """Register the HTTP blueprints."""
    from patrol_api import console
    from patrol_api.http import BLUEPRINTS, health, metrics, open311, vendor

    app.register_blueprint(health.blp)
    app.register_blueprint(metrics.blp)
    app.register_blueprint(vendor.blp)
    app.register_blueprint(open311.blp)  # /open311/v2: Open311 GeoReport v2
    console.init_app(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")


def _register_cli(app: Flask) -> None:
    """Add the project's CLI commands to `flask` / `patrol-api`."""
    from patrol_api import cli

    cli.register(app)
