"""WSGI entry point: `gunicorn wsgi:app`."""
from patrol_api import create_app
from patrol_api.serve import settle_heap

app = create_app()
settle_heap()
