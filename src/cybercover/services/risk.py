"""The risk model at work: portfolio runs from the policy store, technical prices on quotes.

* :func:`portfolio_from_db` reads every policy in force at a moment (its stored terms,
  its company and the disclosure it was bound on) as model insureds;
* :func:`run_portfolio` simulates them (in this process or on a Dask cluster), writes the
  output folder when asked, and stores the summary as a :class:`RiskRun` with its audit
  row in one transaction;
* :func:`technical_price_for_quote` prices one stored quote under exactly its terms,
  with the capital ratios of the latest run of its product (docs/risk-model.md).

Who may: ``risk.read`` and ``risk.run`` are the insurer's (underwriters, admins);
agencies, insureds, partners, the desk and claims never see a technical price.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Select, desc, select
from sqlalchemy.orm import Session

from cybercover.errors import InputError, NotFoundError, Problem
from cybercover.product.catalogue import on_sale, sold_under
from cybercover.product.model import Product
from cybercover.risk.exposure import Insured, Portfolio
from cybercover.risk.metrics import Summary, summarise
from cybercover.risk.model import LossModel, default_loss_model
from cybercover.risk.pricing import CapitalBasis, technical_price
from cybercover.risk.simulate import SimulationResult, simulate_local
from cybercover.services.authz import Actor, authorize, person
from cybercover.services.policies import policy_terms
from cybercover.services.pricing import OptionIn, option_terms
from cybercover.services.scope import load_quote
from cybercover.services.uow import Database
from cybercover.storage.models import Company, Policy, RiskRun, Submission
from cybercover.timeutil import JST
from cybercover.underwriting.answers import isms_valid, parse_isms

__all__ = [
    "capital_basis",
    "ep_curve_svg",
    "export_oed",
    "latest_run",
    "portfolio_from_db",
    "run_portfolio",
    "technical_price_for_quote",
]

MAX_API_YEARS = 100_000


def _industry_of(product: Product, company: Company) -> str:
    try:
        return product.rating.industry_for_jsic(company.industry_group)
    except (KeyError, ValueError):
        return "other"


def _insured(
    product: Product,
    company: Company,
    submission: Submission,
    terms: Any,
    key: str,
    on: date,
) -> Insured:
    isms = parse_isms(product, submission.isms) if submission.isms else None
    vendor = company.cloud_vendors[0] if company.cloud_vendors else None
    return Insured(
        key=key,
        revenue=max(int(company.annual_revenue), 1),
        industry=_industry_of(product, company),
        terms=terms,
        answers=dict(submission.disclosure),
        isms=isms_valid(isms, on),
        cloud_vendor=vendor,
    )


def _in_force(as_of: datetime) -> Select[Policy, Company, Submission]:
    """Every policy in force at ``as_of`` with its company and the submission it was
    bound on (the insurer's whole book: callers authorise ``risk.*`` first)."""
    return (
        select(Policy, Company, Submission)
        .join(Company, Company.id == Policy.company_id)
        .join(Submission, Submission.id == Policy.submission_id)
        .where(Policy.status == "in_force")
        .where(Policy.period_start <= as_of)
        .where(Policy.period_end > as_of)
        .order_by(Policy.id)
    )


def portfolio_from_db(
    session: Session, as_of: datetime, product_code: str | None = None
) -> tuple[list[Insured], list[int], dict[str, Any]]:
    """Policies in force at ``as_of`` as insureds, their annual premiums, and the
    exposure by industry, prefecture and cloud provider (count, liability limits,
    premium) for the portfolio page."""
    query = _in_force(as_of)
    if product_code is not None:
        query = query.where(Policy.product_code == product_code)
    insureds: list[Insured] = []
    premiums: list[int] = []
    prefectures: list[str] = []
    on = as_of.astimezone(JST).date()
    for policy, company, submission in session.execute(query).all():
        product = sold_under(policy)
        key = policy.number or str(policy.id)
        insureds.append(_insured(product, company, submission, policy_terms(policy), key, on))
        premiums.append(policy.annual_premium)
        prefectures.append(company.prefecture or "—")
    return insureds, premiums, exposure_of(insureds, premiums, prefectures)


def exposure_of(
    insureds: list[Insured], premiums: list[int] | None, prefectures: list[str] | None = None
) -> dict[str, Any]:
    """Policies, liability limits and premium by industry, cloud provider and (from the
    database) prefecture: what the portfolio page shows beside the curve."""
    dims: dict[str, defaultdict[str, Counter[str]]] = {
        name: defaultdict(Counter) for name in ("industry", "prefecture", "cloud_provider")
    }
    for i, ins in enumerate(insureds):
        liability = next(p.limit for p in ins.terms.parts if p.code == "liability")
        premium = premiums[i] if premiums else 0
        groups = [("industry", ins.industry), ("cloud_provider", ins.cloud_vendor or "unknown")]
        if prefectures is not None:
            groups.append(("prefecture", prefectures[i]))
        for dim, value in groups:
            row = dims[dim][value]
            row["policies"] += 1
            row["liability_limit"] += liability
            row["premium"] += premium
    return {dim: {k: dict(v) for k, v in rows.items()} for dim, rows in dims.items() if rows}


def run_portfolio(
    db: Database,
    actor: Actor,
    *,
    years: int,
    seed: int,
    block_years: int = 1000,
    as_of: datetime | None = None,
    insureds: list[Insured] | None = None,
    premiums: list[int] | None = None,
    source: str = "database",
    client: Any = None,
    out_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    model: LossModel | None = None,
    product: Product | None = None,
    store: bool = True,
) -> dict[str, Any]:
    """Simulate the portfolio and store the run; returns the run's view.

    At the command line the actor is the system (``services/authz.py`` ``SYSTEM``, its own
    ``risk.run`` permission); its run is audited without a user."""
    authorize(actor, "risk.run")
    problems: list[Problem] = []
    if not 1 <= block_years <= 1_000_000:
        problems.append(
            Problem("block_years", "range", "1〜1,000,000年で指定してください", "must be 1 to 1M")
        )
    if not 100 <= years <= 10_000_000:
        problems.append(
            Problem("years", "range", "100〜10,000,000年で指定してください", "must be 100 to 10M")
        )
    if seed < 0 or seed >= 2**63:
        problems.append(Problem("seed", "range", "0以上の整数です", "must be a non-negative int"))
    if problems:
        raise InputError(problems)
    product = product or on_sale()
    model = model or default_loss_model()
    moment = as_of or db.clock()
    if insureds is None:
        with db.sessions() as session:
            insureds, premiums, exposure = portfolio_from_db(session, moment, product.product.code)
    else:
        exposure = exposure_of(insureds, premiums)
    if not insureds:
        raise InputError(
            [
                Problem(
                    "portfolio",
                    "empty",
                    "この時点で有効な契約がありません",
                    "no policy is in force at this moment",
                )
            ]
        )
    portfolio = Portfolio.build(model, insureds, seed=seed)
    result = simulate(
        model,
        portfolio,
        years=years,
        seed=seed,
        block_years=block_years,
        client=client,
        progress=progress,
    )
    counts = np.bincount(portfolio.industry_index, minlength=len(portfolio.industries))
    summary = summarise(result, counts.astype(np.int64))
    if out_dir is not None:
        from cybercover.risk.output import write_results

        write_results(result, summary, out_dir)
    if not store:
        return {"id": None, "years": years, "seed": seed, "summary": summary.as_dict()}
    return store_run(
        db,
        actor,
        product=product,
        model=model,
        source=source,
        as_of=moment,
        summary=summary,
        exposure=exposure,
        premium=int(sum(premiums or [])),
    )


def simulate(
    model: LossModel,
    portfolio: Portfolio,
    *,
    years: int,
    seed: int,
    block_years: int,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationResult:
    if client is None:
        return simulate_local(
            model, portfolio, years=years, seed=seed, block_years=block_years, progress=progress
        )
    from cybercover.risk.distributed import simulate_distributed

    return simulate_distributed(
        client, model, portfolio, years=years, seed=seed, block_years=block_years, progress=progress
    )


def store_run(
    db: Database,
    actor: Actor,
    *,
    product: Product,
    model: LossModel,
    source: str,
    as_of: datetime,
    summary: Summary,
    exposure: dict[str, Any],
    premium: int,
) -> dict[str, Any]:
    data = summary.as_dict()
    data["premium"] = premium
    with db.unit_of_work() as uow:
        run = RiskRun(
            product_code=product.product.code,
            product_version=product.product.version,
            model_version=f"{model.model.code} {model.model.version}",
            source=source,
            as_of=as_of,
            years=summary.years,
            seed=summary.seed,
            policies=summary.policies,
            summary=data,
            exposure=exposure,
            created_by=person(actor),
            created_at=uow.now,
        )
        uow.session.add(run)
        uow.session.flush()
        uow.audit(
            person(actor),
            "risk.run",
            ("risk_run", run.id),
            after={"years": summary.years, "seed": summary.seed, "policies": summary.policies},
        )
        return _run_view(run)


def _run_view(run: RiskRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "product_code": run.product_code,
        "product_version": run.product_version,
        "model_version": run.model_version,
        "source": run.source,
        "as_of": run.as_of.isoformat(),
        "years": run.years,
        "seed": run.seed,
        "policies": run.policies,
        "summary": run.summary,
        "exposure": run.exposure,
        "created_at": run.created_at.isoformat(),
    }


def _latest(session: Session, product_code: str) -> RiskRun | None:
    return session.execute(
        select(RiskRun)
        .where(RiskRun.product_code == product_code)
        .order_by(desc(RiskRun.id))
        .limit(1)
    ).scalar_one_or_none()


def latest_run(db: Database, actor: Actor, product_code: str | None = None) -> dict[str, Any]:
    authorize(actor, "risk.read")
    code = product_code or on_sale().product.code
    with db.sessions() as session:
        run = _latest(session, code)
        if run is None:
            raise NotFoundError("risk_run", code)
        return _run_view(run)


def capital_basis(session: Session, product_code: str) -> CapitalBasis | None:
    run = _latest(session, product_code)
    if run is None:
        return None
    summary = run.summary
    return CapitalBasis(
        ratios=dict(summary.get("capital_ratio", {})),
        policies={k: int(v.get("policies", 0)) for k, v in summary["by_industry"].items()},
        run_id=run.id,
        run_at=run.created_at.isoformat(),
    )


def technical_price_for_quote(db: Database, actor: Actor, quote_id: int) -> dict[str, Any]:
    """The technical price of one quote beside its rate-table premium."""
    authorize(actor, "risk.read")
    with db.sessions() as session:
        quote, submission = load_quote(session, actor, quote_id, "submission.read")
        company = session.get(Company, submission.company_id)
        assert company is not None
        product = sold_under(submission)
        option = OptionIn.model_validate(quote.options)
        terms = option_terms(product, option, submission.start_date, ("options", 0))
        insured = _insured(
            product, company, submission, terms, f"quote-{quote.id}", submission.start_date
        )
        basis = capital_basis(session, product.product.code)
        premium = quote.premium
    price = technical_price(
        product, default_loss_model(), insured, table_premium=premium, basis=basis
    )
    return {"quote_id": quote_id, "industry": insured.industry, **price.as_dict()}


def export_oed(db: Database, actor: Actor, out: Path, as_of: datetime) -> int:
    """Write the policies in force at ``as_of`` as an OED v4 cyber account CSV."""
    from cybercover.risk.oed import OedPolicy, write_oed

    authorize(actor, "risk.read")
    rows: list[OedPolicy] = []
    with db.sessions() as session:
        for policy, company, _submission in session.execute(_in_force(as_of)).all():
            product = sold_under(policy)
            rows.append(
                OedPolicy(
                    key=policy.number or str(policy.id),
                    name=company.name,
                    revenue=int(company.annual_revenue),
                    jsic=company.industry_group,
                    industry=_industry_of(product, company),
                    terms=policy_terms(policy),
                    premium=policy.annual_premium,
                    cloud_vendor=company.cloud_vendors[0] if company.cloud_vendors else None,
                )
            )
    write_oed(rows, out)
    return len(rows)


def ep_curve_svg(run: dict[str, Any]) -> bytes:
    """The stored run's exceedance curves (its summary's points) as an SVG image."""
    from cybercover.risk.output import plot_points

    return plot_points(run["summary"]["curves"], run["years"])
