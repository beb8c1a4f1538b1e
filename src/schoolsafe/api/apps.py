from schoolsafe import registry


class ApiConfig(registry.CapabilityConfig):
    name = "schoolsafe.api"
    api_routers = ("schoolsafe.api.health:router",)
    api_order = 0
