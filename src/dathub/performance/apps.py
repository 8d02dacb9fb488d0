from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "dathub.performance"
    label = "performance"
    verbose_name = "Performance"

    def ready(self) -> None:
        from dathub.core.registry import (
            DEMO_DATA,
            HomePanel,
            NavItem,
            register_api_router,
            register_demo_loader,
            register_home_panel,
            register_nav,
            register_urls,
        )
        from dathub.tenancy import roles as r

        register_urls("dathub.performance.urls")
        register_api_router("dathub.performance.api")
        register_demo_loader("dathub.performance.demo.load", DEMO_DATA)

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
