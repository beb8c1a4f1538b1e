from schoolsafe import registry


class EventsConfig(registry.CapabilityConfig):
    name = "schoolsafe.events"
    verbose_name = "Events and real-time delivery"
    api_routers = ("schoolsafe.events.api:router",)
    api_order = 30
    commands = "schoolsafe.events.commands"
    page_context = ("schoolsafe.events.context:page_context",)
