"""The demo data set: every role, policies in force, partners for the seven services;
loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from cybercover.demo import DEMO_PASSWORD, load_demo
from cybercover.services.authz import PEOPLE
from cybercover.services.partners import list_partners
from cybercover.services.people import authenticate
from cybercover.services.uow import Database
from cybercover.storage.models import AuditRecord, Policy, User


def test_the_demo_has_every_role_policies_in_force_and_all_seven_services(db: Database) -> None:
    lines = list(load_demo(db))
    assert DEMO_PASSWORD in lines[0]
    with db.sessions() as session:
        roles = set(session.execute(select(User.role)).scalars())
        in_force = session.execute(
            select(func.count()).select_from(Policy).where(Policy.status == "in_force")
        ).scalar_one()
        rows = session.execute(select(func.count()).select_from(AuditRecord)).scalar_one()
    assert roles == {r.value for r in PEOPLE}
    assert in_force == 3
    desk = authenticate(db, "desk@demo.cybercover.jp", DEMO_PASSWORD)
    services = {s for p in list_partners(db, desk) for s in p["services"]}
    assert services == {
        "investigation",
        "public_relations",
        "call_centre",
        "trust_recovery",
        "gdpr",
        "coordination",
        "finance",
    }
    assert list(load_demo(db)) == lines  # a second start loads nothing more
    with db.sessions() as session:
        assert session.execute(select(func.count()).select_from(AuditRecord)).scalar_one() == rows
