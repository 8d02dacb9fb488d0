from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dathub.tenancy"
    label = "tenancy"
    verbose_name = "Partnerships and people"

    def ready(self) -> None:
        from dathub.core.registry import (
            HomePanel,
            NavItem,
            register_api_router,
            register_home_panel,
            register_nav,
            register_urls,
        )

        from . import roles as r
        from .selectors import body_list, organisation_list, person_list

        register_urls("dathub.tenancy.urls")
        register_api_router("dathub.tenancy.api")
        register_nav(NavItem("Home", "core:partnership-home", r.VIEW_PARTNERSHIP, 0))
        # One menu entry for the partnership's directory keeps the menu on one line; the
        # hub page and the home panel link to each part.
        register_nav(
            NavItem(
                "Partnership",
                "tenancy:directory",
                r.VIEW_PARTNERSHIP,
                80,
                section=("tenancy:", "core:audit"),
            )
        )

        def directory(actor, partnership):  # type: ignore[no-untyped-def]
            from .views import directory_sections

            return {
                "organisations": organisation_list(actor=actor, partnership=partnership).count(),
                "people": person_list(actor=actor, partnership=partnership).count(),
                "bodies": body_list(actor=actor, partnership=partnership).count(),
                "sections": directory_sections(actor, partnership),
            }

        register_home_panel(
            HomePanel("tenancy/panel_directory.html", r.VIEW_PARTNERSHIP, 90, directory)
        )
