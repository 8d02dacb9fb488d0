"""Performance pages: dashboard, breakdowns, comparison, submissions and their rows,
targets, prevalence and local indicators. Thin: the work is in services and selectors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from dathub.core import clock
from dathub.core.partnership_views import partnership_view
from dathub.core.web import add_errors, attachment
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


# --- submissions ----------------------------------------------------------------------------


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def submission_list(request: HttpRequest, partnership: Any) -> HttpResponse:
    subs = selectors.submission_list(actor=request.user, partnership=partnership).select_related(
        "submitted_by"
    )
    return render(
        request,
        "performance/submission_list.html",
        {
            "partnership": partnership,
            "submissions": subs[:500],
            "can_submit": bool(services.agencies_for(request.user, partnership)),
        },
    )


@partnership_view(r.SUBMIT_RECORDS)
def submission_create(request: HttpRequest, partnership: Any) -> HttpResponse:
    agencies = services.agencies_for(request.user, partnership)
    if not agencies:
        raise PermissionDenied("Your organisation has no agency code to submit records for.")
    today = clock.today()
    form = forms.SubmissionForm(
        request.POST or None, request.FILES or None, agencies=agencies, today=today
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            sub = services.submission_create(
                actor=request.user,
                partnership=partnership,
                agency=form.cleaned_data["agency"],
                month=form.cleaned_data["month"],
                filename=upload.name or "records.csv",
                data=upload.read(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return redirect("performance:submission-detail", partnership.code, sub.pk)
    return form_page(
        request,
        form,
        "Submit treatment records",
        reverse("performance:submission-list", args=[partnership.code]),
        submit_label="Upload and check",
    )


def _int_param(request: HttpRequest, name: str, default: int = 1) -> int:
    try:
        return max(1, min(int(request.GET.get(name, default)), 10**9))
    except ValueError:
        return default


@require_GET
@partnership_view(r.VIEW_PERFORMANCE)
def submission_detail(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_get(actor=request.user, partnership=partnership, pk=pk)
    per_page = selectors.ERRORS_PER_PAGE
    page = _int_param(request, "errors_page")
    errors = selectors.submission_errors(
        actor=request.user, submission=sub, offset=(page - 1) * per_page, limit=per_page
    )
    stalled = selectors.submission_stalled(sub)
    may_act = sub.agency in services.agencies_for(request.user, partnership)
    context = {
        "partnership": partnership,
        "submission": sub,
        "can_see_rows": permissions.can(request.user, partnership, r.VIEW_CLIENT_RECORDS),
        "errors": errors,
        "stalled": stalled,
        "polling": sub.in_progress and not stalled,
        "current": services.current_for(sub) if sub.awaiting else None,
        "confirmation_rule": services.CONFIRMATION_RULE,
        "may_act": may_act,
        "can_retry": may_act and services.can_retry(sub),
        "history": selectors.submission_list(actor=request.user, partnership=partnership)
        .filter(agency=sub.agency, month=sub.month)
        .order_by("-submitted_at", "-pk"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "performance/includes/submission_status.html", context)
    response = render(request, "performance/submission_detail.html", context)
    if context["polling"]:
        response["Refresh"] = "3"  # without JavaScript the browser reloads until it is done
    return response


_SUBMISSION_DECISIONS: dict[str, tuple[Any, str]] = {
    "replace": (services.submission_replace_confirm, "The new file is now the current one."),
    "keep": (services.submission_keep_current, "The current submission was kept."),
    "retry": (services.submission_retry, "The file is being checked again."),
    "discard": (services.submission_discard_upload, "The uploaded file was removed."),
}


@require_POST
@partnership_view(r.SUBMIT_RECORDS)
def submission_decide(request: HttpRequest, partnership: Any, pk: int, decision: str) -> Any:
    """A person's decision on a submission: replace the current one with it, keep the
    current one, try a failed one again, or remove a failed one's file (services, audited)."""
    sub = selectors.submission_get(actor=request.user, partnership=partnership, pk=pk)
    if decision not in _SUBMISSION_DECISIONS:
        raise Http404("No such action")
    service, done = _SUBMISSION_DECISIONS[decision]
    kwargs: dict[str, Any] = {}
    if decision == "replace":
        try:
            kwargs["current_id"] = int(request.POST.get("current", ""))
        except ValueError:
            kwargs["current_id"] = None
    try:
        service(actor=request.user, submission=sub, **kwargs)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("performance:submission-detail", partnership.code, sub.pk)


@require_GET
@partnership_view(r.VIEW_CLIENT_RECORDS)
def submission_rows(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_for_rows(actor=request.user, partnership=partnership, pk=pk)
    kind = "rejected" if request.GET.get("kind") == "rejected" else "accepted"
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    rows = selectors.submission_rows(actor=request.user, submission=sub, kind=kind, page=page)
    return render(
        request,
        "performance/submission_rows.html",
        {"partnership": partnership, "submission": sub, "kind": kind, "rows": rows},
    )


@require_GET
@partnership_view(r.VIEW_CLIENT_RECORDS)
def submission_rejected_csv(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    sub = selectors.submission_for_rows(actor=request.user, partnership=partnership, pk=pk)
    body = selectors.submission_rejected_csv(actor=request.user, submission=sub)
    return attachment(
        body, f"rejected-{sub.agency}-{sub.month:%Y-%m}-{sub.pk}.csv", "text/csv; charset=utf-8"
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
    path("p/<str:code>/performance/submissions/", submission_list, name="submission-list"),
    path("p/<str:code>/performance/submissions/new/", submission_create, name="submission-new"),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/",
        submission_detail,
        name="submission-detail",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/rows/",
        submission_rows,
        name="submission-rows",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/rejected.csv",
        submission_rejected_csv,
        name="submission-rejected-csv",
    ),
    path(
        "p/<str:code>/performance/submissions/<int:pk>/<slug:decision>/",
        submission_decide,
        name="submission-decide",
    ),
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
