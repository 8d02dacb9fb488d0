from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "dathub.performance"
    label = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        from dathub.core.registry import HomePanel, NavItem, register_home_panel, register_nav
        from dathub.tenancy import roles as r

        from . import board_pack, selectors

        register_nav(
            NavItem(
                "Performance",
                "performance:dashboard",
                r.VIEW_PERFORMANCE,
                20,
                section="performance:",
            )
        )
        register_home_panel(
            HomePanel(
                template="performance/includes/home_panel.html",
                capability=r.VIEW_PERFORMANCE,
                order=20,
                context=selectors.home_panel_context,
            )
        )
        board_pack.register()

        from dathub.core import recovery

        from .services import recover_computations, recover_submissions

        recovery.register("performance.submissions", recover_submissions)
        recovery.register("performance.computations", recover_computations)
