from __future__ import annotations

from typing import Any

from django import forms

from dathub.core.forms import Form, ModelForm

from .models import Body, BodyMember, Organisation, Partnership, Person, RoleName
from .roles import Role


class PartnershipForm(Form):
    """Base for forms whose choices are limited to one partnership's rows."""

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership


class PartnershipModelForm(ModelForm):
    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if qs is not None and hasattr(qs.model, "partnership"):
                field.queryset = qs.filter(  # type: ignore[attr-defined]
                    partnership=partnership, archived_at__isnull=True
                )
            _name_the_empty_choice(field)


def _name_the_empty_choice(field: forms.Field) -> None:
    """Say 'Choose one' (or 'None' where the answer is optional) instead of '---------'."""
    words = "Choose one" if field.required else "None"
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = words
    elif isinstance(field, forms.ChoiceField):
        choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
        field.choices = [
            (value, words if value == "" and label == "---------" else label)
            for value, label in choices
        ]


class OrganisationForm(PartnershipModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "kind", "agency_code"]


class PersonForm(PartnershipModelForm):
    class Meta:
        model = Person
        fields = ["full_name", "job_title", "organisation", "email", "phone", "reminders_enabled"]


class MembershipForm(PartnershipForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Roles decide what this person may see and change. Select all that apply.",
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        help_text="For provider users only: the organisation whose work they see.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.current().filter(  # type: ignore[attr-defined]
            partnership=self.partnership
        )


class RoleNameForm(PartnershipModelForm):
    class Meta:
        model = RoleName
        fields = ["abbreviation", "name", "holder"]
        labels = {"abbreviation": "Abbreviation or short name", "holder": "Held by"}
        help_texts = {"abbreviation": "As plan documents write it, for example DPM or JCG Chair"}


class BodyForm(PartnershipModelForm):
    class Meta:
        model = Body
        fields = ["name", "kind", "reports_to", "meeting_cycle", "terms_of_reference"]


class BodyMemberForm(PartnershipModelForm):
    class Meta:
        model = BodyMember
        fields = ["person", "position", "joined_on"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"})}


class SignInForm(Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(Form):
    old_password = forms.CharField(
        label="Current password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters; not a common password; not only numbers.",
    )


class ApiTokenForm(Form):
    name = forms.CharField(
        label="Token name", max_length=100, help_text="What the token is for, e.g. 'Monthly upload'"
    )
