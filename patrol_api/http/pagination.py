"""Page-number pagination over SQLAlchemy selects, in a stable order."""
import sqlalchemy as sa
from flask_smorest import Page

from patrol_api.extensions import db


class SelectPage(Page):
    """A page of a `select()`; the select must carry a total order (ending with the id)."""

    @property
    def items(self):
        """The rows of the requested page (a page past any possible row is empty)."""
        if self.page_params.first_item > MAX_OFFSET:
            return []
        stmt = self.collection.offset(self.page_params.first_item).limit(
            self.page_params.page_size)
        return db.session.execute(stmt).scalars().all()

    @property
    def item_count(self):
        """How many rows the whole select returns."""
        count = sa.select(sa.func.count()).select_from(
            self.collection.order_by(None).subquery())
        return db.session.execute(count).scalar()


MAX_OFFSET = 2**62  # beyond this the database's BIGINT offset would overflow
PAGINATION = {"page": 1, "page_size": 50, "max_page_size": 500}
