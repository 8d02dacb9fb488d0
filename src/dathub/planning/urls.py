from .delivery_views import urlpatterns as delivery_urlpatterns
from .part_views import urlpatterns as part_urlpatterns
from .views import app_name, urlpatterns

urlpatterns = delivery_urlpatterns + urlpatterns + part_urlpatterns

__all__ = ["app_name", "urlpatterns"]
