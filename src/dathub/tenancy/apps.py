from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "dathub.tenancy"
    label = "tenancy"
    verbose_name = "Partnerships and people"

    def ready(self) -> None:
        from dathub.core.registry import HomePanel, NavItem, register_home_panel, register_nav

        from . import roles as r
        from .selectors import body_list, organisation_list, person_list

        register_nav(NavItem("Home", "core:partnership-home", r.VIEW_PARTNERSHIP, 0))
        register_nav(
            NavItem(
                "Organisations",
                "tenancy:organisation-list",
                r.VIEW_PARTNERSHIP,
                80,
                section="tenancy:organisation",
            )
        )
        register_nav(
            NavItem("People", "tenancy:person-list", r.VIEW_PEOPLE, 81, section="tenancy:person")
        )
        register_nav(
            NavItem("Bodies", "tenancy:body-list", r.VIEW_PARTNERSHIP, 82, section="tenancy:body")
        )
        register_nav(
            NavItem(
                "Role names",
                "tenancy:role-name-list",
                r.VIEW_PEOPLE,
                83,
                section="tenancy:role-name",
            )
        )
        register_nav(NavItem("Audit trail", "core:audit", r.VIEW_AUDIT, 90))

        def directory(actor, partnership):  # type: ignore[no-untyped-def]
            return {
                "organisations": organisation_list(actor=actor, partnership=partnership).count(),
                "people": person_list(actor=actor, partnership=partnership).count(),
                "bodies": body_list(actor=actor, partnership=partnership).count(),
            }

        register_home_panel(
            HomePanel("tenancy/panel_directory.html", r.VIEW_PARTNERSHIP, 90, directory)
        )
