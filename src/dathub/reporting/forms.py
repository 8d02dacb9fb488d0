from __future__ import annotations

from typing import Any

from django import forms

from dathub.core.forms import Form
from dathub.tenancy.models import Body

from .models import BoardPack
from .registry import REVIEW_HEADINGS


class BoardPackForm(Form):
    kind = forms.ChoiceField(
        label="What are you building?",
        choices=BoardPack.Kind.choices,
        widget=forms.RadioSelect,
        initial=BoardPack.Kind.BOARD_PACK,
    )
    body: forms.ModelChoiceField = forms.ModelChoiceField(
        label="For which body", queryset=Body.objects.none(), empty_label="Choose a body"
    )
    meeting_date = forms.DateField(
        label="Meeting date",
        help_text="For example 14/07/2010",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"],
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    title = forms.CharField(
        label="Title",
        required=False,
        max_length=300,
        help_text="Leave empty for ‘<body>: board pack for <date>’",
    )

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]


class NarrativeForm(Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading, guidance in REVIEW_HEADINGS:
            self.fields[key] = forms.CharField(
                label=heading,
                help_text=guidance,
                required=False,
                widget=forms.Textarea(attrs={"rows": 6}),
            )
