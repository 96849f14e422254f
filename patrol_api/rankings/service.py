"""What the API asks of the rankings: metrics over a month range, live tables, awards."""
from patrol_api.rankings import metrics, months, refresh, scoring


def filters(args: dict) -> metrics.Filters:
    """Metric filters from parsed query arguments."""
    def ids(name):
        return (args[name],) if args.get(name) else ()
    return metrics.Filters(kind=args.get("kind"), area_ids=ids("area_id"),
                           category_ids=ids("category_id"))


def metric_rows(args: dict) -> list[dict]:
    """Metrics rows for every month of the range (from the facts; a read, never a write)."""
    refresh.request_if_stale()
    chosen = filters(args)
    return [row for month in month_range(args) for row in metrics.month_metrics(month, chosen)]


def month_range(args: dict) -> list[str]:
    """The months of `from`..`to`; `to` defaults to the current month, `from` to `to`."""
    last = args.get("to_month") or months.current()
    return months.span(args.get("from_month") or last, last)


def live_tables(args: dict) -> dict:
    """The ranking tables of one month computed now (not frozen), from the facts."""
    refresh.request_if_stale()
    tables = scoring.tables(metrics.month_metrics(args["month"], filters(args)))
    return {kind: rows for kind, rows in tables.items()
            if not args.get("kind") or kind == args["kind"]}


def scope_label(args: dict) -> str:
    """The filters in words for a chart or sheet title, e.g. ' · 본청 부서 · 도로'."""
    from patrol_api.extensions import db
    from patrol_api.models import Area, Category
    from patrol_api.rankings.export import KIND_LABELS

    parts = [KIND_LABELS[args["kind"]]] if args.get("kind") else []
    for model, name in ((Area, "area_id"), (Category, "category_id")):
        if args.get(name):
            found = db.session.get(model, args[name])
            parts.append(found.name_ko if found else f"{name}={args[name]}")
    return "".join(f" · {part}" for part in parts)
