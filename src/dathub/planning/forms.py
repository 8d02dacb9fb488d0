from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from dathub.core.forms import Form
from dathub.tenancy.forms import PartnershipForm
from dathub.tenancy.models import Person, RoleName

from .document.dates import financial_year_start
from .models import Action, Plan

YEAR_HELP = "For example 2009/10"
RATINGS = [
    ("", "Not rated"),
    ("red", "Red"),
    ("red/amber", "Red/amber"),
    ("amber", "Amber"),
    ("amber/green", "Amber/green"),
    ("green", "Green"),
    ("n/a", "Not applicable"),
]


def clean_year(value: str) -> str:
    start = financial_year_start(value)
    if start is None:
        raise forms.ValidationError("Enter a financial year like 2009/10.")
    return f"{start}/{(start + 1) % 100:02d}"


class PlanForm(PartnershipForm):
    financial_year = forms.CharField(max_length=9, help_text=YEAR_HELP)
    title = forms.CharField(max_length=300, widget=forms.TextInput())

    def clean_financial_year(self) -> str:
        return clean_year(self.cleaned_data["financial_year"])


class PlanImportForm(PartnershipForm):
    document = forms.FileField(
        label="Plan document",
        help_text="A Word document (.docx), a spreadsheet exported from dathub (.xlsx), or "
        "text copied out of Word or PDF (.txt). Nothing is saved until you confirm.",
    )
    financial_year = forms.CharField(
        max_length=9,
        required=False,
        help_text="Only if the document does not say which year it is for. " + YEAR_HELP,
    )

    def clean_financial_year(self) -> str:
        value = self.cleaned_data["financial_year"].strip()
        return clean_year(value) if value else ""

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if not re.search(r"\.(txt|docx|xlsx)$", upload.name, re.I):
            raise forms.ValidationError("The document must be a .docx, .xlsx or .txt file.")
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The document must be smaller than 10 MB.")
        return upload


class PlanStatusForm(Form):
    status = forms.ChoiceField(choices=Plan.Status.choices)


class RollOverForm(PartnershipForm):
    financial_year = forms.CharField(max_length=9, help_text="The new plan's year. " + YEAR_HELP)

    def clean_financial_year(self) -> str:
        return clean_year(self.cleaned_data["financial_year"])


class GridForm(PartnershipForm):
    number = forms.IntegerField(min_value=1, widget=forms.NumberInput())
    title = forms.CharField(max_length=300)
    rating = forms.ChoiceField(label="Self-assessment rating", choices=RATINGS, required=False)
    assessment = forms.CharField(
        label="Baseline assessment and key gaps",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    priorities = forms.CharField(
        label="Key priorities",
        required=False,
        help_text="One priority a line, in order.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    spend = forms.CharField(
        label="Spend lines",
        required=False,
        help_text="One a line: a label, a bar, and the amount in pounds, "
        "for example ‘Planned spend 2009/10 | 385500’.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_spend(self) -> list[tuple[str, Decimal]]:
        lines = []
        for n, line in enumerate(self.cleaned_data["spend"].splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, amount = line.rpartition("|")
            try:
                value = Decimal(amount.replace("£", "").replace(",", "").replace(" ", ""))
            except InvalidOperation:
                value = None
            if not sep or not label.strip() or value is None:
                raise forms.ValidationError(
                    f"Line {n} must be a label, a bar (|) and an amount, like "
                    "‘Planned spend 2009/10 | 385500’."
                )
            lines.append((label.strip(), value))
        return lines


class ObjectiveForm(PartnershipForm):
    number = forms.IntegerField(min_value=0, required=False, widget=forms.NumberInput())
    title = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    due_text = forms.CharField(
        label="By when",
        required=False,
        max_length=200,
        help_text="As you would write it: ‘Sept 2009’, ‘Q3 09’, ‘Ongoing’",
    )
    owners_text = forms.CharField(label="By whom", required=False, max_length=300)
    notes = forms.CharField(
        required=False, help_text="One note a line", widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(PartnershipForm):
    text = forms.CharField(label="Action or milestone", widget=forms.Textarea(attrs={"rows": 3}))
    due_text = forms.CharField(
        label="By when",
        required=False,
        max_length=200,
        help_text="As you would write it: ‘Sept 2009’, ‘Q3 09’, "
        "‘End of Q4 2009/10’, ‘Quarterly’, ‘Ongoing’",
    )
    owners_text = forms.CharField(
        label="By whom",
        required=False,
        max_length=300,
        help_text="Roles, bodies or people, separated by / or commas",
    )
    cost_text = forms.CharField(
        label="Cost or budget",
        required=False,
        max_length=200,
        help_text="For example ‘£10k’ or ‘Within role resource’",
    )


class MeetingActionForm(ActionForm):
    source = forms.CharField(
        max_length=200,
        label="Where the action came from",
        help_text="For example ‘Board meeting 12 May 2009’ or ‘Scrutiny review recommendation 7’",
    )
    field_order = ["text", "source", "due_text", "owners_text", "cost_text"]


class ActionOwnersForm(PartnershipForm):
    role_names = forms.ModelMultipleChoiceField(
        queryset=RoleName.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles and bodies",
    )
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role_names"].queryset = RoleName.objects.current().filter(  # type: ignore[attr-defined]
            partnership=self.partnership
        )
        self.fields["people"].queryset = Person.objects.current().filter(  # type: ignore[attr-defined]
            partnership=self.partnership
        )


DUE_PERIODS = [
    ("", "Any time"),
    ("overdue", "Overdue"),
    ("this_month", "Due this month"),
    ("this_quarter", "Due this quarter"),
    ("next_quarter", "Due next quarter"),
    ("recurring", "Recurring (monthly or quarterly)"),
    ("ongoing", "Ongoing, no deadline"),
    ("no_date", "No date could be read"),
]


class ActionSearchForm(Form):
    q = forms.CharField(label="Text", required=False)
    owner = forms.ChoiceField(label="Owner", required=False)
    due = forms.ChoiceField(label="Due", choices=DUE_PERIODS, required=False)
    plan = forms.ChoiceField(label="Plan", required=False)
    grid = forms.IntegerField(
        label="Planning grid number", required=False, min_value=1, widget=forms.NumberInput()
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), ("open", "Open (not complete)"), *Action.Status.choices],
    )

    def __init__(
        self, *args: Any, owners: list[tuple[str, str]], plans: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Anyone"), *owners]  # type: ignore[attr-defined]
        self.fields["plan"].choices = [("", "All current plans"), *plans]  # type: ignore[attr-defined]


# --- delivery tracking ------------------------------------------------------------------


class ProgressUpdateForm(Form):
    status = forms.ChoiceField(
        choices=Action.Status.choices, widget=forms.RadioSelect, label="Status"
    )
    percent_complete = forms.IntegerField(
        label="Percentage complete",
        min_value=0,
        max_value=100,
        required=False,
        help_text="A whole number from 0 to 100. Complete actions are 100%.",
        widget=forms.NumberInput(),
    )
    note = forms.CharField(
        label="Progress note",
        required=False,
        help_text="What has been done since the last update. Required when the action is at "
        "risk, off track or dropped.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision_needed = forms.CharField(
        label="Decision or help needed",
        required=False,
        help_text="Anything the board or the JCG is asked to decide or resolve. It is listed "
        "under ‘Decisions needed’ in the next board pack.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    date = forms.DateField(
        label="Date of the update",
        required=False,
        help_text="Leave empty for today. For example 31/03/2010.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"],
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    evidence_file = forms.FileField(
        label="Evidence file",
        required=False,
        help_text="A document, spreadsheet, PDF or picture, smaller than 10 MB.",
    )
    evidence_link = forms.URLField(
        label="Evidence link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A link to where the evidence is kept, starting https://",
    )


class ProgressUploadForm(Form):
    spreadsheet = forms.FileField(
        label="Progress spreadsheet",
        help_text="The .xlsx file downloaded from this page, with the ‘New …’ columns filled "
        "in. Rows left empty are skipped.",
    )

    def clean_spreadsheet(self) -> Any:
        upload = self.cleaned_data["spreadsheet"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("The file must be an Excel spreadsheet (.xlsx).")
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 10 MB.")
        return upload
