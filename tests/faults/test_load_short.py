"""The short, bounded form of bench/load.py that CI runs: ten seconds' worth of rate-table
quotes, stored quotes, incident reports and claim payments on two uvicorn workers. It
asserts that nothing acknowledged is lost and that no answer is a 5xx — not speed (the
speed figures are in bench/README.md, measured by hand).

Behaviour whatever the machine's speed: ``exact`` sends exactly rate × 10 s requests per
stream however long it takes, each may wait 120 s, and every one must be answered as
expected (a busy machine once answered 338 of 400 in the window, failing on speed)."""

from __future__ import annotations

from pathlib import Path

from bench.load import run_load
from bench.server import serve

from tests.faults.conftest import off_the_loop

SECONDS = 10
RATES = {"rates": 40, "quotes": 20, "incidents": 10, "payments": 2}
COUNTS = {name: rate * SECONDS for name, rate in RATES.items()}  # 400, 200, 100, 20


def test_ten_seconds_of_mixed_load_lose_nothing_and_never_answer_5xx(
    backend_url: str, tmp_path: Path
) -> None:
    with serve(backend_url, workers=2, log=tmp_path / "serve.log") as server:
        report = off_the_loop(
            run_load,
            server.url,
            backend_url,
            seconds=SECONDS,
            rates=RATES,
            exact=True,
            timeout=120,
        )
    streams = report.streams
    for name, stream in streams.items():  # every request sent, none timed out or skipped
        assert stream["transport_errors"] == 0 and stream["skipped_backlog"] == 0, (name, stream)
    # every request answered once, with the expected status: none dropped, doubled or refused
    assert streams["rates"]["sent"] == COUNTS["rates"]
    assert streams["rates"]["statuses"] == {"200": COUNTS["rates"]}, streams["rates"]
    assert streams["quotes"]["sent"] == COUNTS["quotes"]
    assert streams["quotes"]["statuses"] == {"201": COUNTS["quotes"]}, streams["quotes"]
    assert streams["incidents"]["sent"] == COUNTS["incidents"]
    assert streams["incidents"]["statuses"] == {"201": COUNTS["incidents"]}, streams["incidents"]
    assert report.incidents_acknowledged == report.incidents_stored == COUNTS["incidents"]
    # payments race on the same claims; each names its amount (issue #17) and follows its
    # own item of that amount, so each finds it due and is paid (201); each attempt is
    # answered once, every acknowledged one is stored, and the ledgers each policy shows
    # hold exactly what was paid
    payments = streams["payments"]
    assert sum(payments["statuses"].values()) == COUNTS["payments"], payments
    assert set(payments["statuses"]) == {"201"}, payments
    assert report.payments_acknowledged > 0
    assert report.payments_stored == report.payments_acknowledged
    assert report.ledger_equals_payments
    assert report.server_errors == 0 and report.lost == 0
    assert report.audit_ok and report.audit_rows > 300
