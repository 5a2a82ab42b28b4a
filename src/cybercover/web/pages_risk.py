"""The portfolio page (issue #6): exposure by industry, prefecture and cloud provider,
the latest run's exceedance curve and its PML / TVaR table, and a new run — for the
insurer's underwriters and administrators (``risk.read`` / ``risk.run``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from cybercover.errors import InputError, NotFoundError
from cybercover.services.authz import authorize, can
from cybercover.services.risk import latest_run, run_portfolio
from cybercover.web.common import PageDep, form_problems, redirect, render
from cybercover.web.forms import form_data, whole_number

router = APIRouter()


def _man(value: float) -> int:
    """A simulated figure to the nearest 10,000 yen (shown with 万/億)."""
    return int(round(value, -4))


def _portfolio_page(
    page: PageDep, status: int = 200, problems: Any = (), form: Any = None
) -> Response:
    authorize(page.actor, "risk.read")
    try:
        run: dict[str, Any] | None = latest_run(page.db, page.actor)
    except NotFoundError:
        run = None
    rows: list[dict[str, Any]] = []
    if run is not None:
        s = run["summary"]
        for key in s["pml"]["insured"]:
            rows.append(
                {
                    "label": f"PML {key}",
                    "insured": _man(s["pml"]["insured"][key]),
                    "ground_up": _man(s["pml"]["ground_up"][key]),
                }
            )
        if s["tvar99"]:
            rows.append(
                {
                    "label": "TVaR 99%",
                    "insured": _man(s["tvar99"]["insured"]),
                    "ground_up": _man(s["tvar99"]["ground_up"]),
                }
            )
    return render(
        page.request,
        "portfolio.html",
        {
            "run": run,
            "figures": rows,
            "man": _man,
            "form": form or {"years": "10000", "seed": "1"},
            "may_run": can(page.actor, "risk.run"),
        },
        page=page,
        status=status,
        problems=problems,
    )


@router.get("/portfolio")
def portfolio(page: PageDep) -> Response:
    return _portfolio_page(page)


@router.post("/portfolio/runs")
def portfolio_run(page: PageDep) -> Response:
    authorize(page.actor, "risk.run")  # a role that may not run is refused before its form
    form = form_data(page)
    try:
        run_portfolio(
            page.db,
            page.actor,
            years=whole_number(form, "years"),
            seed=whole_number(form, "seed"),
        )
    except InputError as exc:
        return _portfolio_page(page, 422, form_problems(exc), form)
    return redirect("/portfolio", done="risk_run")
