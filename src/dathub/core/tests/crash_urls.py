"""The site's URLs plus pages that crash, to test the 500 handlers."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dathub.config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from dathub.config.urls import urlpatterns as site_urlpatterns


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("crash/", crash), path("api/crash/", crash), *site_urlpatterns]
