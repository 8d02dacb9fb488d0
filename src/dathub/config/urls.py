from django.urls import include, path

from dathub.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("dathub.core.urls")),
    path("", include("dathub.tenancy.urls")),
    path("", include("dathub.planning.urls")),
    path("", include("dathub.reporting.urls")),
    path("", include("dathub.performance.urls")),
]

handler400 = "dathub.core.views.error_400"
handler403 = "dathub.core.views.error_403"
handler404 = "dathub.core.views.error_404"
handler500 = "dathub.core.views.error_500"
