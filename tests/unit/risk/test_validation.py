"""Validation: the simulation reproduces its inputs within sampling error, and one policy
with one peril matches closed forms computed here (lognormal limited expected values).

Tolerances are 4 standard errors of the simulated estimate, so a correct model fails
about once in 16,000 runs, and the seeds are fixed, so these tests are deterministic.
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from statistics import NormalDist

import numpy as np
from scipy import stats

from cybercover.product import default_product
from cybercover.risk.exposure import Insured, Portfolio
from cybercover.risk.model import default_loss_model
from cybercover.risk.simulate import draw_accidents, simulate_local
from cybercover.terms.build import build_policy_terms
from tests.unit.risk.helpers import one_family

PHI = NormalDist().cdf
REVENUE = 500_000_000  # the reference revenue: size band "small", multipliers 1.0


def _terms(**kw: object) -> object:
    product = default_product()
    base: dict[str, object] = {
        "start": date(2026, 4, 1),
        "limits": {"liability": 1_000_000_000, "response_costs": 1_000_000_000},
    }
    base.update(kw)
    return build_policy_terms(product, **base)  # type: ignore[arg-type]


def _insured(terms: object, industry: str = "manufacturing", **kw: object) -> Insured:
    return Insured("P1", REVENUE, industry, terms, **kw)  # type: ignore[arg-type]


def lev(mu: float, sigma: float, u: float) -> float:
    """E[min(X, u)] for X lognormal(mu, sigma) (Klugman, Panjer & Willmot)."""
    if u <= 0:
        return 0.0
    z = (math.log(u) - mu) / sigma
    return math.exp(mu + sigma**2 / 2) * PHI(z - sigma) + u * (1 - PHI(z))


def test_frequencies_reproduce_the_model_rates() -> None:
    """Accident counts per family ≈ years × rate (Poisson: sd = √mean)."""
    model = default_loss_model()
    answers = {"mfa": True, "rdp_exposed": True}  # factor 0.75 × 2.5 = 1.875
    pf = Portfolio.build(model, [_insured(_terms(), "retail", answers=answers)])
    years = 400_000
    acc = draw_accidents(model, pf, seed=11, block=0, n_years=years)
    retail = model.industries["retail"]
    for f, fam in enumerate(model.families):
        rate = fam.frequency * retail.frequency * retail.families.get(fam.code, 1.0) * 1.875
        expected = rate * years
        got = int((acc.source == f).sum())
        assert abs(got - expected) < 4 * math.sqrt(expected), (fam.code, got, expected)


def test_severity_body_and_tail_follow_the_spliced_law() -> None:
    model, _ = one_family("leak", frequency=1.0)
    fam = model.families[0]
    pf = Portfolio.build(model, [_insured(_terms())])
    acc = draw_accidents(model, pf, seed=5, block=0, n_years=200_000)
    total = acc.losses.sum(axis=1).astype(float)  # no outage share moves: split only
    sev = total[acc.outage_ticks == 0]
    # below the threshold: lognormal(median, sigma) — compare with the truncated cdf
    assert fam.tail_quantile is not None and fam.tail_alpha is not None
    zq = NormalDist().inv_cdf(fam.tail_quantile)
    threshold = fam.median * math.exp(fam.sigma * zq)
    body = sev[sev < threshold]
    share = len(body) / len(sev)
    n = len(sev)
    q = fam.tail_quantile
    assert abs(share - q) < 4 * math.sqrt(q * (1 - q) / n)
    cdf = lambda x: stats.lognorm.cdf(x, fam.sigma, scale=fam.median) / q  # noqa: E731
    assert stats.kstest(body, cdf).pvalue > 1e-4
    # beyond it: Pareto(alpha) from the threshold — log(x / u) is exponential(alpha)
    tail = sev[sev >= threshold]
    excess = np.log(tail / threshold)
    assert abs(excess.mean() - 1 / fam.tail_alpha) < 4 / fam.tail_alpha / math.sqrt(len(tail))


def test_outage_durations_follow_the_lognormal() -> None:
    model, _ = one_family("network_unavailable", frequency=1.0)
    fam = next(f for f in model.families if f.code == "network_unavailable")
    pf = Portfolio.build(model, [_insured(_terms())])
    acc = draw_accidents(model, pf, seed=6, block=0, n_years=100_000)
    hours = acc.outage_ticks / 3600
    assert (hours > 0).all()  # outage_probability 1.0
    logs = np.log(hours)
    n = len(logs)
    assert abs(logs.mean() - math.log(fam.outage_median_hours)) < 4 * fam.outage_sigma / n**0.5
    assert abs(logs.std() - fam.outage_sigma) < 4 * fam.outage_sigma / (2 * n) ** 0.5


def test_accumulation_hits_follow_rate_and_footprint() -> None:
    """Ransomware campaign: events ~ Poisson(rate · years); each insured without offline
    backups is hit with probability 0.002 × 2 per event."""
    data_model, _ = one_family("leak", frequency=0.0, scenarios=True)
    model = data_model
    insureds = [
        _insured(_terms(), answers={"offline_backups": False, "edr": True, "mfa": True})
        for _ in range(200)
    ]
    insureds = [Insured(f"P{i}", i.revenue, i.industry, i.terms, i.answers) for i in insureds]
    insureds = [
        Insured(f"P{k}", ins.revenue, ins.industry, ins.terms, ins.answers)
        for k, ins in enumerate(insureds)
    ]
    pf = Portfolio.build(model, insureds)
    years = 20_000
    acc = draw_accidents(model, pf, seed=8, block=0, n_years=years)
    s = [sc.code for sc in model.scenarios].index("ransomware_campaign")
    sc = model.scenarios[s]
    hits = int((acc.source == len(model.families) + s).sum())
    expected = sc.rate * years * 200 * sc.hit_probability * 2.0
    # variance of a compound Poisson count: rate·years·E[K²], K ~ Binomial(200, p)
    p = sc.hit_probability * 2.0
    ek2 = 200 * p * (1 - p) + (200 * p) ** 2
    assert abs(hits - expected) < 4 * math.sqrt(sc.rate * years * ek2)
    # one event's hits share an event id and a moment
    rows = np.flatnonzero(acc.source == len(model.families) + s)
    for ev in np.unique(acc.event[rows])[:20]:
        same = rows[acc.event[rows] == ev]
        assert len(set(acc.year[same].tolist())) == 1
        assert len(set(acc.time[same].tolist())) == 1


def compound_poisson_capped_mean(
    lam: float, mu: float, sigma: float, d: float, limit: float, h: float
) -> float:
    """E[min(S, L)] for S = Σ min((X_i − d)+, L), N ~ Poisson(λ), by Panjer's recursion
    on a grid of ``h`` yen (each accident's payment rounded to the nearest grid point,
    its distribution from the lognormal cdf)."""
    n = round(limit / h)
    cdf = lambda y: stats.lognorm.cdf(d + y, sigma, scale=math.exp(mu))  # noqa: E731
    f = np.zeros(n + 1)
    f[0] = cdf(h / 2)
    for j in range(1, n):
        f[j] = cdf((j + 0.5) * h) - cdf((j - 0.5) * h)
    f[n] = 1 - cdf((n - 0.5) * h)
    g = np.zeros(n + 1)
    g[0] = math.exp(-lam * (1 - f[0]))
    for s in range(1, n + 1):
        j = np.arange(1, s + 1)
        g[s] = lam / s * float(np.dot(j * f[j], g[s - j]))
    below = float(np.dot(np.arange(n) * h, g[:n]))
    return below + limit * (1 - float(g[:n].sum()))


def test_one_policy_one_peril_matches_an_independent_computation() -> None:
    """Liability only, lognormal without tail, deductible d, limit L per accident and
    per period (PRODUCT.md §3): the mean annual payment E[min(S, L)] by Panjer's
    recursion; it stays visibly below the uncapped closed form λ·(E[min(X, d + L)] −
    E[min(X, d)]), which only the per-period cap explains."""
    median, sigma, lam = 5_000_000, 1.2, 0.5
    model, _ = one_family(
        "rights_infringement",
        frequency=lam,
        median=median,
        sigma=sigma,
        tail_quantile=None,
        tail_alpha=None,
        split={"liability": 1.0},
        outage_probability=0.0,
    )
    d, limit = 1_000_000, 10_000_000
    terms = _terms(
        limits={"liability": limit, "response_costs": limit},  # the aggregate: ①'s limit
        deductibles={"liability": d, "response_costs": 0},
    )
    pf = Portfolio.build(model, [_insured(terms)])
    years = 400_000
    res = simulate_local(model, pf, years=years, seed=21, block_years=100_000)
    mu = math.log(median)
    expected = compound_poisson_capped_mean(lam, mu, sigma, d, limit, 10_000)
    se = res.insured.std() / math.sqrt(years)
    assert abs(res.insured.mean() - expected) < 4 * se + 0.001 * expected
    # without the period cap the mean would be visibly higher: the cap is applied
    uncapped = lam * (lev(mu, sigma, d + limit) - lev(mu, sigma, d))
    assert uncapped - res.insured.mean() > 10 * se
    # ground-up: λ · E[X] (floored to the yen per accident: at most λ yen lower)
    gu = lam * math.exp(mu + sigma**2 / 2)
    assert abs(res.ground_up.mean() - gu) < 4 * res.ground_up.std() / math.sqrt(years) + lam


def _bi_case(mode: str) -> tuple[float, float, float]:
    """Loss of profit alone: hourly profit h, outage H lognormal, impact Beta(2, 2)."""
    med_h, sig_h, lam = 10.0, 0.9, 0.5
    model, _ = one_family(
        "network_unavailable",
        frequency=lam,
        median=1,  # a yen or two of other costs, all under the deductible
        sigma=0.1,
        tail_quantile=None,
        tail_alpha=None,
        outage_probability=1.0,
        outage_median_hours=med_h,
        outage_sigma=sig_h,
    )
    terms = _terms(
        limits={
            "liability": 2_000_000_000,
            "response_costs": 1_000_000,
            "profit_loss": 1_000_000_000,
            "continuation_costs": 1_000_000,
            "business_interruption": 1_000_000_000,
        },
        deductibles={"liability": 1000, "response_costs": 1000, "continuation_costs": 1000},
        options={"business_interruption": True},
        waiting_hours=Fraction(6),
        waiting_mode=mode,
    )
    industry = model.industries["manufacturing"]
    hourly = REVENUE * industry.profit_rate / model.model.hours_per_year
    pf = Portfolio.build(model, [_insured(terms)])
    years = 300_000
    res = simulate_local(model, pf, years=years, seed=31, block_years=100_000)
    mu, w = math.log(med_h), 6.0
    above = math.exp(mu + sig_h**2 / 2) * PHI((mu + sig_h**2 - math.log(w)) / sig_h)
    # qualifying: paid from the first hour once the outage outlasts 6 h;
    # time deductible: the first 6 hours never paid, E[(H − 6)+]
    below_w = w * (1 - PHI((math.log(w) - mu) / sig_h))
    e_hours = above if mode == "qualifying" else above - below_w
    expected = lam * hourly * 0.5 * e_hours  # Beta(2, 2) has mean 0.5
    se = res.insured.std() / math.sqrt(years)
    return float(res.insured.mean()), expected, float(se)


def test_waiting_period_qualifying_matches_the_closed_form() -> None:
    got, expected, se = _bi_case("qualifying")
    assert abs(got - expected) < 4 * se + 1, (got, expected, se)


def test_waiting_period_time_deductible_matches_the_closed_form() -> None:
    got, expected, se = _bi_case("time_deductible")
    assert abs(got - expected) < 4 * se + 1, (got, expected, se)
