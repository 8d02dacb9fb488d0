from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "dathub.planning"
    label = "planning"
    verbose_name = "Treatment plans"

    def ready(self) -> None:
        from dathub.core.registry import NavItem, register_nav
        from dathub.tenancy import roles as r

        register_nav(
            NavItem("Plans", "planning:plan-list", r.VIEW_PLANS, 10, section="planning:plan")
        )
        register_nav(
            NavItem(
                "Actions", "planning:action-search", r.VIEW_PLANS, 11, section="planning:action"
            )
        )
        from . import delivery_ready

        delivery_ready.ready()
