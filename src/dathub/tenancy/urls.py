from .views import bodies, extra, organisations, people, role_names

app_name = "tenancy"
urlpatterns = [
    *organisations.urls(),
    *people.urls(),
    *role_names.urls(),
    *bodies.urls(),
    *extra,
]
