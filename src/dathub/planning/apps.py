from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "dathub.planning"
    label = "planning"
    verbose_name = "Treatment plans"

    def ready(self) -> None:
        from dathub.core.registry import (
            DEMO_FIRST,
            NavItem,
            register_api_router,
            register_demo_loader,
            register_nav,
            register_urls,
        )
        from dathub.tenancy import roles as r

        register_urls("dathub.planning.urls")
        register_api_router("dathub.planning.api")
        register_demo_loader("dathub.planning.demo.load", DEMO_FIRST)

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

        from dathub.core import recovery

        from . import reminders, services

        # work left behind by a lost worker: imports being read, the reminders' daily chain;
        # and uploads never confirmed, whose documents expire
        recovery.register("planning.imports", services.plan_import_recover)
        recovery.register("planning.imports-expired", services.plan_import_expire)
        recovery.register("planning.reminders", reminders.recover_schedule)
