"""WSGI entry point: `gunicorn wsgi:app`."""
from patrol_api import create_app

app = create_app()
