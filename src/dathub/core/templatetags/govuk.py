"""Render Django form fields with GOV.UK Design System markup."""

from __future__ import annotations

import re
from typing import Any

from django import forms, template
from django.utils.safestring import SafeString

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    return "input"


_CLASSES = {
    "input": "govuk-input",
    "select": "govuk-select",
    "textarea": "govuk-textarea",
    "file": "govuk-file-upload",
}


def _label(field: forms.BoundField) -> str:
    text = str(field.label or field.name)
    # "Title" -> "title", but keep abbreviations such as "DPM" or "JCG chair" as written.
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def say(field: forms.BoundField, message: str) -> str:
    """Django's generic messages said the GOV.UK way, naming the field."""
    kind = _kind(field.field.widget)
    label = _label(field)
    if message == "This field is required.":
        verb = {
            "file": "Choose",
            "select": "Select",
            "radios": "Select",
            "checkboxes": "Select",
            "checkbox": "Select",
        }.get(kind, "Enter")
        return f"{verb} {label}"
    if message in {"Enter a valid date.", "Enter a valid date/time."}:
        return f"Enter {label} as a real date"
    if message in {"Enter a whole number.", "Enter a number."}:
        return f"Enter {label} as a number"
    bound = re.match(r"Ensure this value is (less|greater) than or equal to (.+)\.$", message)
    if bound:
        return f"{str(field.label or field.name)} must be {bound.group(2)} or " + (
            "less" if bound.group(1) == "less" else "more"
        )
    return message


@register.inclusion_tag("core/includes/field.html")
def govuk_field(field: forms.BoundField, width: str = "", label_size: str = "") -> dict[str, Any]:
    kind = _kind(field.field.widget)
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}-hint")
    if field.errors:
        described.append(f"{field.id_for_label}-error")
    widget_html: SafeString | None = None
    if kind in _CLASSES:
        css = _CLASSES[kind]
        if width:
            css += f" govuk-input--width-{width}" if kind == "input" else ""
        if field.errors:
            css += f" {_CLASSES[kind]}--error"
        attrs: dict[str, str | bool] = {"class": css}
        if described:
            attrs["aria-describedby"] = " ".join(described)
        widget_html = field.as_widget(attrs=attrs)
    return {
        "field": field,
        "messages": [say(field, str(m)) for m in field.errors],
        "kind": kind,
        "widget_html": widget_html,
        "described": " ".join(described),
        "label_size": label_size,
    }


@register.inclusion_tag("core/includes/error_summary.html")
def govuk_error_summary(form: forms.BaseForm) -> dict[str, Any]:
    errors = []
    for name, messages in form.errors.items():
        anchor = f"#{form[name].id_for_label}" if name in form.fields else ""
        for message in messages:
            text = say(form[name], str(message)) if name in form.fields else message
            errors.append({"href": anchor, "text": text})
    return {"errors": errors}


@register.filter
def rag_tag_class(rating: str | None) -> str:
    """Tag colour for a red/amber/green word; the word itself is always shown."""
    value = (rating or "").lower()
    if "red" in value and "amber" in value:
        return "govuk-tag--orange"
    if "amber" in value and "green" in value:
        return "govuk-tag--yellow"
    return {
        "red": "govuk-tag--red",
        "amber": "govuk-tag--orange",
        "green": "govuk-tag--green",
    }.get(value, "govuk-tag--grey")


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if mapping else key


@register.filter
def isodate(value: Any) -> Any:
    """An ISO date string (as in the plan interchange JSON) as a date, for the date filter."""
    import datetime as dt

    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
