"""Kill the server mid-burst (SIGKILL to uvicorn's master and workers at once), restart
it, and check that nothing acknowledged was lost and nothing was written twice or by half.

On SQLite and on PostgreSQL, with two uvicorn workers: incident reports and claim
payments (a loss item, then the payment of what it made due, naming its part, amount and
payee, with its idempotency key: issue #17) are fired together; the process group is
killed about half a second after some of each were answered. After the restart every
payment that was sent is sent again with the same key and body, as a client would. The scenario and its counting are ``bench/faults.py`` (whose figures are in
bench/README.md); here each figure is checked.
"""

from __future__ import annotations

from pathlib import Path

from bench.faults import kill_mid_burst

from tests.faults.conftest import off_the_loop


def test_a_killed_server_loses_no_acknowledged_report_and_pays_nothing_twice(
    backend_url: str, tmp_path: Path
) -> None:
    report = off_the_loop(kill_mid_burst, backend_url, log=tmp_path / "serve.log")

    # the kill landed mid-burst: some answers came back, some requests were cut off
    assert report.incidents_acknowledged >= 10 and report.payments_acknowledged >= 3
    assert report.cut_off > 0, "nothing was cut off: the kill came too late"
    assert report.server_errors == 0
    # every acknowledged report and payment is there
    assert report.incidents_acknowledged_stored == report.incidents_acknowledged
    assert report.payments_acknowledged_stored == report.payments_acknowledged
    assert report.lost == 0
    # a re-sent payment is either the same payment again (201, "repeated") or, for one
    # cut off before it was stored, paid now (201): its item was stored before it was sent,
    # so what it names is due (a payment names its amount now, issue #17: never "nothing
    # due" for a retry)
    assert set(report.retries_answered) == {"201"}
    assert report.acknowledged_retries_repeated == report.payments_acknowledged
    # nothing twice, nothing by half
    assert report.paid_twice == 0 and report.half_written == 0
    # the first payment of a claim pays its ¥300,000 item less the ¥100,000 deductible,
    # every later one its whole item
    for amounts in report.amounts_by_claim.values():
        assert amounts == [200_000] + [300_000] * (len(amounts) - 1)
    assert report.payments_stored == sum(len(a) for a in report.amounts_by_claim.values())
    # each policy's ledger as shown (limits left: paid, committed) is the sum of its stored
    # payments; one audit row each; the chain verifies (`cybercover audit verify`, as an
    # operator runs it)
    assert report.ledgers_equal_payments
    assert report.audit_rows_equal_payments
    assert report.audit_verify_ok
