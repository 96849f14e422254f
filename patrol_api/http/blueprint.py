"""The API's blueprint: flask-smorest's, with webargs reading the already checked JSON body."""
import flask_smorest

from patrol_api.http.media_types import CheckedJsonParser


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose arguments come from the body parsed once."""

    ARGUMENTS_PARSER = CheckedJsonParser()
