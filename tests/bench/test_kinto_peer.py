"""Smoke test of the Kinto peer of the sync benchmark: install, start, push, pull back.

The first run creates Kinto's virtualenv (``pip install kinto``, about 30-40 s) in
$BENCH_CACHE (default ~/.cache/patrol-bench); later runs reuse it.
"""

import pytest

from bench.common import finding_records
from bench.kinto_peer import KintoError, KintoServer, ensure_kinto_venv, pull, pull_records, push


@pytest.fixture(scope="module")
def kinto_venv():
    """Kinto's own virtualenv, or a loud skip if it cannot be installed (no index reachable)."""
    try:
        return ensure_kinto_venv()
    except KintoError as exc:
        pytest.skip(
            f"NOT TESTED - Kinto's virtualenv could not be created (PyPI reachable?): {exc}"
        )


def test_pushed_records_come_back_on_pull(kinto_venv):
    records = finding_records(200)
    with KintoServer("memory", venv=kinto_venv) as server:
        assert push(server.base_url, records, batch_size=50) > 0
        pulled, seconds = pull_records(server.base_url, page_size=64)  # 4 pages
        assert seconds > 0
        assert pull(server.base_url, page_size=64, expected=len(records)) > 0

        assert len(pulled) == len(records)
        assert {r["id"] for r in pulled} == {r["id"] for r in records}
        by_id = {r["id"]: r for r in pulled}
        for record in records[:5]:
            stored = by_id[record["id"]]
            assert {k: stored[k] for k in record} == record  # Korean text survives intact

        with pytest.raises(KintoError, match="412"):  # a re-push is refused per item
            push(server.base_url, records[:3])


def test_pull_checks_the_expected_count(kinto_venv):
    with KintoServer("memory", venv=kinto_venv) as server:
        push(server.base_url, finding_records(3, seed=1))
        with pytest.raises(KintoError, match="pulled 3 records, expected 4"):
            pull(server.base_url, expected=4)
