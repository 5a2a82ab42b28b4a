"""The product version of an incident: its policy's (the catalogue's rule,
``product/catalogue.py``); an incident of a company with no policy is handled under the
version on sale. A claim always has its policy: ``sold_under(policy)``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cybercover.product.catalogue import on_sale, sold_under
from cybercover.product.model import Product
from cybercover.storage.models import Incident, Policy

__all__ = ["incident_product"]


def incident_product(session: Session, incident: Incident) -> Product:
    policy = session.get(Policy, incident.policy_id) if incident.policy_id else None
    return sold_under(policy) if policy is not None else on_sale()
