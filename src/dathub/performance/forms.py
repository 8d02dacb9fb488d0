"""Forms of the performance pages (GOV.UK markup through the govuk template tags)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from dathub.core.forms import Form

from .catalogue import NATIONAL


def _previous_month(today: dt.date) -> str:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


class SubmissionForm(Form):
    agency = forms.ChoiceField(label="Agency")
    month = forms.CharField(
        label="Reporting month",
        help_text="The month these records are for, as YYYY-MM, for example 2026-10.",
        max_length=7,
    )
    file = forms.FileField(
        label="Records file",
        help_text="The treatment records CSV, or an .xlsx workbook with the same columns. "
        "A new file for the same agency and month replaces the previous one as a whole.",
    )

    def __init__(self, *args: Any, agencies: list[str], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [(a, a) for a in agencies]  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]
        self.fields["month"].initial = _previous_month(today)


class PrevalenceForm(Form):
    financial_year = forms.CharField(label="Financial year", help_text="For example 2026/27.")
    ocu_estimate = forms.IntegerField(label="Estimated opiate and/or crack users", min_value=1)
    source = forms.CharField(label="Source of the estimate", required=False, max_length=200)


class PrevalenceFileForm(Form):
    file = forms.FileField(
        label="Prevalence file",
        help_text="A CSV with the columns DAT, FINYEAR and OCU_ESTIMATE, for example "
        "N01A,2026/27,1850.",
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:  # a few rows a year: read whole into memory
            raise forms.ValidationError("The prevalence file must be smaller than 1 MB.")
        return upload


class TargetForm(Form):
    indicator = forms.ChoiceField(label="Indicator")
    financial_year = forms.CharField(label="Financial year", help_text="For example 2026/27.")
    value = forms.DecimalField(
        label="Target for the year",
        max_digits=14,
        decimal_places=1,
        help_text="For the whole financial year's figure: a percentage for rates (for example "
        "85.0), a number for counts. The year-end forecast is rated against it.",
    )
    q1 = forms.DecimalField(
        label="Target for Q1 (April to June)",
        required=False,
        max_digits=14,
        decimal_places=1,
        help_text="The trajectory: each quarter's own figure. Leave blank to use the target "
        "for the year (right for rates; counts in a quarter are smaller than in a year).",
    )
    q2 = forms.DecimalField(
        label="Target for Q2 (July to September)", required=False, max_digits=14, decimal_places=1
    )
    q3 = forms.DecimalField(
        label="Target for Q3 (October to December)", required=False, max_digits=14, decimal_places=1
    )
    q4 = forms.DecimalField(
        label="Target for Q4 (January to March)", required=False, max_digits=14, decimal_places=1
    )
    tolerance = forms.DecimalField(
        label="Tolerance",
        max_digits=14,
        decimal_places=1,
        min_value=0,
        initial=0,
        help_text="How far from the target still counts as within tolerance, in the "
        "indicator's units (percentage points for rates).",
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = choices  # type: ignore[attr-defined]


class LocalIndicatorForm(Form):
    code = forms.SlugField(
        label="Short code",
        max_length=40,
        help_text="Letters, numbers and hyphens, for example dip-assessment.",
    )
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="What it measures", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ChoiceField(
        label="Kind of figure",
        choices=[("percent", "Percentage (numerator of denominator)"), ("count", "Count")],
    )
    higher_is_better = forms.BooleanField(
        label="A higher figure is better", required=False, initial=True
    )


class LocalFigureForm(Form):
    financial_year = forms.CharField(label="Financial year", help_text="For example 2026/27.")
    quarter = forms.TypedChoiceField(
        label="Period",
        coerce=int,
        empty_value=None,
        choices=[
            ("", "The whole year"),
            ("1", "Q1 (April to June)"),
            ("2", "Q2 (July to September)"),
            ("3", "Q3 (October to December)"),
            ("4", "Q4 (January to March)"),
        ],
        required=False,
    )
    numerator = forms.IntegerField(label="Numerator (or the count)", min_value=0)
    denominator = forms.IntegerField(
        label="Denominator", min_value=1, required=False, help_text="Leave blank for a count."
    )


def national_choices() -> list[tuple[str, str]]:
    return [(k, i.name) for k, i in NATIONAL.items()]
