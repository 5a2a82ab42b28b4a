"""The short, bounded form of bench/load.py that CI runs: ten seconds of rate-table
quotes, stored quotes, incident reports and claim payments on two uvicorn workers. It asserts that nothing
acknowledged is lost and that no answer is a 5xx — not speed (the speed figures are in
bench/README.md, measured by hand)."""

from __future__ import annotations

from pathlib import Path

from bench.load import run_load
from bench.server import serve


def test_ten_seconds_of_mixed_load_lose_nothing_and_never_answer_5xx(
    backend_url: str, tmp_path: Path
) -> None:
    with serve(backend_url, workers=2, log=tmp_path / "serve.log") as server:
        report = run_load(
            server.url,
            backend_url,
            seconds=10,
            rates={"rates": 40, "quotes": 20, "incidents": 10, "payments": 2},
        )
    assert report.streams["rates"]["statuses"] == {"200": 400}
    quotes = report.streams["quotes"]
    assert quotes["sent"] == 200 and quotes["statuses"] == {"201": 200}
    assert report.streams["incidents"]["statuses"] == {"201": 100}
    assert report.incidents_acknowledged == report.incidents_stored == 100
    # payments race for the same claim's items (a 409 "nothing due" is a clean answer);
    # every acknowledged one is stored, and the ledgers hold exactly what was paid
    assert report.payments_acknowledged > 0
    assert report.payments_stored == report.payments_acknowledged
    assert report.ledger_equals_payments
    assert report.server_errors == 0 and report.lost == 0
    assert report.audit_ok and report.audit_rows > 300
