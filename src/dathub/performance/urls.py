from .submission_views import urlpatterns as submission_urlpatterns
from .views import app_name, urlpatterns

urlpatterns = urlpatterns + submission_urlpatterns

__all__ = ["app_name", "urlpatterns"]
