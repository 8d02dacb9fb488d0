"""List, detail, create, edit and archive pages for a partnership's records.

Each section (organisations, people, bodies...) is described once by a `Section`; the views
here stay thin: selectors read, services write, forms validate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from dathub.tenancy import permissions

from .partnership_views import partnership_view
from .web import add_errors, form_page


@dataclass
class Section:
    namespace: str  # URL namespace, e.g. "tenancy"
    name: str  # singular slug, e.g. "organisation"
    noun: str  # "organisation"
    noun_plural: str  # "organisations"
    list_selector: Callable[..., Any]
    get_selector: Callable[..., Any]
    form_class: type
    create: Callable[..., Any]  # (actor, partnership, cleaned_data) -> obj
    update: Callable[..., Any]  # (actor, obj, cleaned_data) -> obj
    archive: Callable[..., Any]  # (actor, obj) -> obj
    columns: list[tuple[str, Callable[[Any], Any]]]
    view_capability: str
    manage_capability: str
    intro: str = ""
    detail_rows: Callable[[Any], list[tuple[str, Any]]] | None = None
    detail_extra: Callable[[HttpRequest, Any, Any], dict[str, Any]] | None = None
    detail_template: str = ""
    extra_urls: list[Any] = field(default_factory=list)

    def url(self, verb: str) -> str:
        return f"{self.namespace}:{self.name}-{verb}"

    # Templates cannot call url(verb), so each URL name is also a property.
    url_list = property(lambda self: self.url("list"))
    url_create = property(lambda self: self.url("create"))
    url_detail = property(lambda self: self.url("detail"))
    url_edit = property(lambda self: self.url("edit"))
    url_archive = property(lambda self: self.url("archive"))

    def _form(self, request: HttpRequest, partnership: Any, instance: Any = None) -> Any:
        kwargs: dict[str, Any] = {"partnership": partnership}
        if instance is not None:
            kwargs["instance"] = instance
        data = request.POST if request.method == "POST" else None
        return self.form_class(data, request.FILES or None, **kwargs)

    def _save(self, request: HttpRequest, form: Any, do: Callable[[], Any]) -> Any:
        try:
            return do()
        except ValidationError as exc:
            add_errors(form, exc)
            return None

    def _ctx(self, request: HttpRequest, partnership: Any, **extra: Any) -> dict[str, Any]:
        return {
            "section": self,
            "partnership": partnership,
            "can_manage": permissions.can(request.user, partnership, self.manage_capability),
            **extra,
        }

    def list_view(self, request: HttpRequest, partnership: Any) -> HttpResponse:
        qs = self.list_selector(actor=request.user, partnership=partnership)
        query = request.GET.get("q", "").strip()
        rows = list(qs)
        if query:
            needle = query.lower()
            rows = [o for o in rows if any(needle in str(c(o)).lower() for _, c in self.columns)]
        page = Paginator(rows, 50).get_page(request.GET.get("page"))
        table = [
            {
                "obj": o,
                "cells": [c(o) for _, c in self.columns],
                "url": reverse(self.url("detail"), args=[partnership.code, o.pk]),
            }
            for o in page
        ]
        return render(
            request,
            "core/crud_list.html",
            self._ctx(
                request,
                partnership,
                page=page,
                table=table,
                query=query,
                headers=[h for h, _ in self.columns],
            ),
        )

    def detail_view(self, request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
        obj = self.get_selector(actor=request.user, partnership=partnership, pk=pk)
        rows = self.detail_rows(obj) if self.detail_rows else []
        extra = self.detail_extra(request, partnership, obj) if self.detail_extra else {}
        return render(
            request,
            "core/crud_detail.html",
            self._ctx(
                request,
                partnership,
                obj=obj,
                rows=rows,
                detail_template=self.detail_template,
                **extra,
            ),
        )

    def create_view(self, request: HttpRequest, partnership: Any) -> HttpResponse:
        form = self._form(request, partnership)
        if request.method == "POST" and form.is_valid():
            obj = self._save(
                request, form, lambda: self.create(request.user, partnership, form.cleaned_data)
            )
            if obj is not None:
                messages.success(request, f"{self.noun.capitalize()} ‘{obj}’ added.")
                return redirect(self.url("detail"), partnership.code, obj.pk)
        return form_page(
            request,
            form,
            f"Add {self.noun}",
            reverse(self.url("list"), args=[partnership.code]),
            status=200,
        )

    def edit_view(self, request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
        obj = self.get_selector(actor=request.user, partnership=partnership, pk=pk)
        form = self._form(request, partnership, instance=obj)
        if request.method == "POST" and form.is_valid():
            saved = self._save(
                request, form, lambda: self.update(request.user, obj, form.cleaned_data)
            )
            if saved is not None:
                messages.success(request, f"{self.noun.capitalize()} ‘{saved}’ saved.")
                return redirect(self.url("detail"), partnership.code, saved.pk)
        return form_page(
            request,
            form,
            f"Change {self.noun}",
            reverse(self.url("detail"), args=[partnership.code, obj.pk]),
            status=200,
        )

    def archive_view(self, request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
        obj = self.get_selector(actor=request.user, partnership=partnership, pk=pk)
        if request.method == "POST":
            self.archive(request.user, obj)
            messages.success(request, f"{self.noun.capitalize()} ‘{obj}’ archived.")
            return redirect(self.url("list"), partnership.code)
        return render(request, "core/crud_archive.html", self._ctx(request, partnership, obj=obj))

    def urls(self) -> list[Any]:
        see, manage = (
            partnership_view(self.view_capability),
            partnership_view(self.manage_capability),
        )
        base = f"p/<str:code>/{self.noun_plural.replace(' ', '-')}/"
        return [
            path(base, see(self.list_view), name=f"{self.name}-list"),
            path(f"{base}new/", manage(self.create_view), name=f"{self.name}-create"),
            path(f"{base}<int:pk>/", see(self.detail_view), name=f"{self.name}-detail"),
            path(f"{base}<int:pk>/edit/", manage(self.edit_view), name=f"{self.name}-edit"),
            path(
                f"{base}<int:pk>/archive/", manage(self.archive_view), name=f"{self.name}-archive"
            ),
            *self.extra_urls,
        ]
