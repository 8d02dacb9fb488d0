from django.urls import include, path

from dathub.api.api import api
from dathub.core.registry import url_modules

# Each app registers its URL patterns from ready() (core.registry.register_urls), in the
# order of INSTALLED_APPS.
urlpatterns = [path("api/v1/", api.urls)] + [path("", include(m)) for m in url_modules()]

handler400 = "dathub.core.views.error_400"
handler403 = "dathub.core.views.error_403"
handler404 = "dathub.core.views.error_404"
handler500 = "dathub.core.views.error_500"
