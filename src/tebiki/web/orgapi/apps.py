from django.apps import AppConfig


class OrgApiConfig(AppConfig):
    name = "tebiki.web.orgapi"
    label = "orgapi"
    verbose_name = "API for consultants and scripts"

    def ready(self) -> None:
        # One API, one OpenAPI document: the organisation endpoints join the agent's under /api/v1/.
        from tebiki.web.devices.api import api

        from .api import router

        if router not in [r for _, r in api._routers]:
            api.add_router("/orgs", router)
