"""The base of every form in dathub: `Form` and `ModelForm` check every text field with
`dathub.core.text` (no control characters, no bidirectional overrides, a bounded length) and
bound every whole-number field to what the database stores, so no answer reaches a service
that the database or a page could not take.

A field on a `Textarea` is multi-line (line breaks and tabs allowed, up to
`DATHUB_TEXT_MAX_LENGTH` characters); any other text field is one line (up to
`DATHUB_LINE_MAX_LENGTH`, or less if the field says so). Passwords are bounded but their
characters are not checked: a password is never shown, and one set before this check must
still sign in. Fields added after `__init__` (forms that build their fields) are covered
too: the check is applied when the form is cleaned.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from .text import SafeTextValidator, line_max_length, text_max_length

# PostgreSQL's `integer`, the narrowest column a form's whole number may land in.
INTEGER_MIN = -(2**31)
INTEGER_MAX = 2**31 - 1

_APPLIED = "_dathub_safe_text"


class _MaxLength(MaxLengthValidator):
    message = "Enter at most %(limit_value)s characters (this has %(show_value)s)."

    def clean(self, x: Any) -> int:
        return len(x) if isinstance(x, str) else 0  # a JSON or UUID field's value is not text


def secure_field(field: forms.Field) -> None:
    """Add the text check and the bounds to one form field (once)."""
    if getattr(field, _APPLIED, False):
        return
    setattr(field, _APPLIED, True)
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        bound = text_max_length() if multiline else line_max_length()
        if field.max_length is None or field.max_length > bound:
            field.max_length = bound
            field.validators.append(_MaxLength(bound))
        if not isinstance(field.widget, forms.PasswordInput):
            field.validators.append(SafeTextValidator(multiline=multiline))
    elif isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.FloatField | forms.DecimalField
    ):
        if field.max_value is None:
            field.max_value = INTEGER_MAX
            field.validators.append(MaxValueValidator(INTEGER_MAX))
        if field.min_value is None:
            field.min_value = INTEGER_MIN
            field.validators.append(MinValueValidator(INTEGER_MIN))


class SafeTextMixin:
    """Applies `secure_field` to every field of the form, at creation and when cleaned."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secure_fields()

    def secure_fields(self) -> None:
        for field in self.fields.values():
            secure_field(field)

    def full_clean(self) -> None:
        self.secure_fields()
        super().full_clean()  # type: ignore[misc]


class Form(SafeTextMixin, forms.Form):
    """A form whose text is checked and bounded (see the module)."""


class ModelForm(SafeTextMixin, forms.ModelForm):
    """A model form whose text is checked and bounded (see the module)."""
