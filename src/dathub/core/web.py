"""Small pieces every app's views share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_errors(form: Any, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file download with the name the user will see."""
    response = HttpResponse(content, content_type=content_type)
    # quoted and escaped: a name holding a quote (an agency code, say) cannot end it early
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


def form_page(
    request: HttpRequest,
    form: Any,
    heading: str,
    cancel_url: str = "",
    submit_label: str = "Save",
    *,
    caption: str = "",
    status: int | None = None,
) -> HttpResponse:
    """The one page that shows a form: heading, optional caption, error summary, fields.

    A form sent back with errors answers 400 unless the caller says otherwise.
    """
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "heading": heading,
        "cancel_url": cancel_url,
        "submit_label": submit_label,
        "caption": caption,
    }
    return render(request, "core/form_page.html", context, status=status)
