"""Performance pages: dashboard, breakdowns, comparison, targets, prevalence and local
indicators (submissions: submission_views). Thin: the work is in services and selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from dathub.core.partnership_views import partnership_view
from dathub.core.web import add_errors
from dathub.core.web import form_page as _core_form_page
from dathub.tenancy import permissions
from dathub.tenancy import roles as r

from . import charts, forms, numbers, selectors, services
from .catalogue import NATIONAL, breakdown_label

app_name = "performance"


def _published(request: HttpRequest) -> bool:
    return request.GET.get("view") == "published"


def form_page(request: HttpRequest, form: Any, heading: str, cancel_url: str, **kw: Any) -> Any:
    return _core_form_page(request, form, heading, cancel_url, caption="Performance", **kw)


def _figures_context(request: HttpRequest, partnership: Any) -> dict[str, Any]:
    published = _published(request)
    true = selectors.shows_true_figures(request.user, partnership, published)
    return {
        "true_figures": true,
        "can_see_true": permissions.can(request.user, partnership, r.VIEW_TRUE_FIGURES),
        "view_query": "" if true else "view=published",
    }


# --- dashboard ------------------------------------------------------------------------------


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def dashboard(request: HttpRequest, partnership: Any) -> HttpResponse:
    ctx = _figures_context(request, partnership)
    cards = selectors.dashboard(
        actor=request.user, partnership=partnership, published=not ctx["true_figures"]
    )
    return render(
        request,
        "performance/dashboard.html",
        {
            **ctx,
            "partnership": partnership,
            "cards": cards,
            "computation": selectors.latest_computation(),
            "can_manage": permissions.can(request.user, partnership, r.MANAGE_PERFORMANCE),
            "can_compare": permissions.can(request.user, partnership, r.COMPARE_PARTNERSHIPS),
        },
    )


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def chart(request: HttpRequest, partnership: Any) -> HttpResponse:
    key = request.GET.get("indicator", "")
    cards = selectors.dashboard(
        actor=request.user, partnership=partnership, published=_published(request), only=key
    )
    if not cards:
        raise Http404("No such indicator")
    card = cards[0]
    png = charts.quarters_chart(
        card.info.name,
        [p.figure.period for p in card.series],
        [p.figure.value for p in card.series],
        [p.target for p in card.series],
        is_count=card.info.is_count,
    )
    return HttpResponse(png, content_type="image/png")


def _forecast_rows(card: selectors.Card) -> list[tuple[str, str]]:
    """The forecast's numbers for the indicator page's summary list, written as the
    dashboard writes them."""
    fc = card.forecast_detail
    if fc is None or fc.value is None:
        return []
    is_count = card.info.is_count
    pooled = fc.basis == "local_rate"
    which = "this year's quarters together" if pooled else "forecast for the year"
    rows = []
    if fc.numerator is not None:
        rows.append((f"Numerator, {which}", numbers.format_value(Decimal(fc.numerator), True)))
    if fc.denominator is not None:
        rows.append((f"Denominator, {which}", numbers.format_value(Decimal(fc.denominator), True)))
    rows.append(("Forecast", card.forecast_text))
    if fc.lower is not None and fc.upper is not None:
        rows.append(
            (
                "Kept within",
                f"{numbers.format_value(fc.lower, is_count)} to "
                f"{numbers.format_value(fc.upper, is_count)}",
            )
        )
    return rows


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def indicator(request: HttpRequest, partnership: Any) -> HttpResponse:
    """One indicator: the dashboard's card, and how its year-end forecast is worked out."""
    key = request.GET.get("indicator", "")
    if key not in selectors.indicator_infos(partnership):
        return redirect("performance:dashboard", partnership.code)
    ctx = _figures_context(request, partnership)
    cards = selectors.dashboard(
        actor=request.user, partnership=partnership, published=not ctx["true_figures"], only=key
    )
    return render(
        request,
        "performance/indicator.html",
        {
            **ctx,
            "partnership": partnership,
            "card": cards[0],
            "forecast_rows": _forecast_rows(cards[0]),
            "extra_query": "indicator=" + quote(key),
            "computation": selectors.latest_computation(),
        },
    )


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def breakdowns(request: HttpRequest, partnership: Any) -> HttpResponse:
    ctx = _figures_context(request, partnership)
    periods = selectors.periods_available(partnership)
    indicator = request.GET.get("indicator", "in_treatment")
    if indicator not in NATIONAL:
        indicator = "in_treatment"
    labels = [p for p, _ in periods]
    quarters = [p for p, k in periods if k == "quarter"]
    period = request.GET.get("period") or (quarters[0] if quarters else (labels or [""])[0])
    if period not in labels:
        period = quarters[0] if quarters else (labels[0] if labels else "")
    groups = selectors.breakdown_table(
        actor=request.user,
        partnership=partnership,
        indicator=indicator,
        period=period,
        published=not ctx["true_figures"],
    )
    return render(
        request,
        "performance/breakdowns.html",
        {
            **ctx,
            "partnership": partnership,
            "info": NATIONAL[indicator],
            "indicator": indicator,
            "indicators": list(NATIONAL.values()),
            "period": period,
            "periods": periods,
            "groups": [
                (label, [(breakdown_label(f.breakdown), f) for f in figs]) for label, figs in groups
            ],
            "withheld_reason": next(
                (f.withheld_reason for _, figs in groups for f in figs if f.withheld), ""
            ),
        },
    )


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Published figures of every partnership the user may compare (regional viewers)."""
    indicator = request.GET.get("indicator", "in_treatment")
    if indicator not in NATIONAL:
        indicator = "in_treatment"
    comparable = selectors.comparable_partnerships(request.user)
    periods: list[tuple[str, str]] = []
    for p in comparable:
        for item in selectors.periods_available(p):
            if item not in periods:
                periods.append(item)
    labels = [p for p, _ in periods]
    period = request.GET.get("period", "")
    if period not in labels:
        quarters = [p for p, k in periods if k == "quarter"]
        period = quarters[0] if quarters else (labels[0] if labels else "")
    rows = selectors.comparison(actor=request.user, indicator=indicator, period=period)
    return render(
        request,
        "performance/compare.html",
        {
            "rows": rows,
            "info": NATIONAL[indicator],
            "indicator": indicator,
            "indicators": list(NATIONAL.values()),
            "period": period,
            "periods": periods,
        },
    )


@partnership_view(r.MANAGE_PERFORMANCE)
def recompute(request: HttpRequest, partnership: Any) -> HttpResponse:
    """Ask for the figures to be recomputed now (GET shows the button)."""
    if request.method == "POST":
        services.computation_request(actor=request.user, partnership=partnership)
        messages.success(request, "The figures are being recomputed.")
        return redirect("performance:dashboard", partnership.code)
    return render(
        request,
        "performance/recompute.html",
        {"partnership": partnership, "computation": selectors.latest_computation()},
    )


# --- targets, prevalence, local indicators --------------------------------------------------


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def targets(request: HttpRequest, partnership: Any) -> HttpResponse:
    return render(
        request,
        "performance/targets.html",
        {
            "partnership": partnership,
            "targets": selectors.target_rows(actor=request.user, partnership=partnership),
            "prevalence": selectors.prevalence_rows(actor=request.user, partnership=partnership),
            "local_indicators": selectors.local_indicator_list(
                actor=request.user, partnership=partnership
            ),
            "can_manage": permissions.can(request.user, partnership, r.MANAGE_PERFORMANCE),
        },
    )


def _targets_url(partnership: Any) -> str:
    return reverse("performance:targets", args=[partnership.code])


@partnership_view(r.MANAGE_PERFORMANCE)
def target_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    infos = selectors.indicator_infos(partnership)
    choices = [(k, i.name) for k, i in infos.items()]
    initial = {k: request.GET[k] for k in ("indicator", "financial_year") if k in request.GET}
    existing = (
        selectors.target_list(actor=request.user, partnership=partnership)
        .filter(
            indicator=initial.get("indicator", ""), financial_year=initial.get("financial_year", "")
        )
        .first()
    )
    if existing:
        initial.update(
            {k: getattr(existing, k) for k in ("value", "q1", "q2", "q3", "q4", "tolerance")}
        )
    form = forms.TargetForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.target_set(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Target saved.")
            return redirect("performance:targets", partnership.code)
    return form_page(request, form, "Set a target", _targets_url(partnership))


@partnership_view(r.MANAGE_PERFORMANCE)
def prevalence_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.PrevalenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prevalence_set(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Prevalence estimate saved; penetration is being recomputed.")
            return redirect("performance:targets", partnership.code)
    return form_page(request, form, "Enter a prevalence estimate", _targets_url(partnership))


@partnership_view(r.MANAGE_PERFORMANCE)
def prevalence_upload(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.PrevalenceFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.prevalence_import(
                actor=request.user, partnership=partnership, data=form.cleaned_data["file"].read()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{n} prevalence estimate{'s' if n != 1 else ''} loaded.")
            return redirect("performance:targets", partnership.code)
    return form_page(
        request,
        form,
        "Upload prevalence estimates",
        _targets_url(partnership),
        submit_label="Upload",
    )


@partnership_view(r.MANAGE_PERFORMANCE)
def local_indicator_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    form = forms.LocalIndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_indicator_create(
                actor=request.user, partnership=partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Indicator added.")
            return redirect("performance:targets", partnership.code)
    return form_page(request, form, "Add a local indicator", _targets_url(partnership))


@partnership_view(r.MANAGE_PERFORMANCE)
def local_figure_create(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    indicator = selectors.local_indicator_get(actor=request.user, partnership=partnership, pk=pk)
    form = forms.LocalFigureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.local_figure_set(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Figure for {indicator.name} saved.")
            return redirect("performance:targets", partnership.code)
    return form_page(request, form, f"Enter a figure: {indicator.name}", _targets_url(partnership))


urlpatterns = [
    path("performance/compare/", compare, name="compare"),
    path("p/<str:code>/performance/", dashboard, name="dashboard"),
    path("p/<str:code>/performance/chart.png", chart, name="chart"),
    path("p/<str:code>/performance/indicator/", indicator, name="indicator"),
    path("p/<str:code>/performance/breakdowns/", breakdowns, name="breakdowns"),
    path("p/<str:code>/performance/recompute/", recompute, name="recompute"),
    path("p/<str:code>/performance/targets/", targets, name="targets"),
    path("p/<str:code>/performance/targets/new/", target_create, name="target-new"),
    path("p/<str:code>/performance/prevalence/new/", prevalence_create, name="prevalence-new"),
    path(
        "p/<str:code>/performance/prevalence/upload/", prevalence_upload, name="prevalence-upload"
    ),
    path("p/<str:code>/performance/local/new/", local_indicator_create, name="local-new"),
    path(
        "p/<str:code>/performance/local/<int:pk>/figures/new/",
        local_figure_create,
        name="local-figure-new",
    ),
]
