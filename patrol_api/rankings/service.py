"""What the API asks of the rankings: metrics over a month range, live tables, awards."""
from patrol_api.rankings import metrics, months, refresh, scoring


def filters(args: dict) -> metrics.Filters:
    """Metric filters from parsed query arguments."""
    def ids(name):
        return (args[name],) if args.get(name) else ()
    return metrics.Filters(kind=args.get("kind"), area_ids=ids("area_id"),
                           category_ids=ids("category_id"))


def metric_rows(args: dict) -> list[dict]:
    """Metrics rows for every month of the range (facts refreshed first)."""
    refresh.refresh()
    chosen = filters(args)
    last = args.get("to_month") or args.get("from_month") or months.current()
    return [row for month in months.span(args.get("from_month") or last, last)
            for row in metrics.month_metrics(month, chosen)]


def live_tables(args: dict) -> dict:
    """The ranking tables of one month computed now (not frozen)."""
    refresh.refresh()
    tables = scoring.tables(metrics.month_metrics(args["month"], filters(args)))
    return {kind: rows for kind, rows in tables.items()
            if not args.get("kind") or kind == args["kind"]}
