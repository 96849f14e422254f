"""WSGI entry point: `gunicorn wsgi:app`."""
from patrol_api import create_app, ticks
from patrol_api.serve import settle_heap

app = create_app()
ticks.run_in_process(app)
settle_heap()
