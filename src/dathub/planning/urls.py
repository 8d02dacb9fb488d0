from .delivery_views import urlpatterns as delivery_urlpatterns
from .views import app_name, urlpatterns

urlpatterns = delivery_urlpatterns + urlpatterns

__all__ = ["app_name", "urlpatterns"]
