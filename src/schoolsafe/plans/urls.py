from django.urls import path

from schoolsafe.plans.views import dashboard, plan, protocol, responder, site_map, template

urlpatterns = [
    path("plans/", dashboard.dashboard, name="plans-dashboard"),
    path("plans/schools/<int:school_id>/", plan.school_plan, name="plans-school"),
    path("plans/schools/<int:school_id>/create", plan.create_plan, name="plans-create"),
    path("plans/versions/<int:version_id>/step/<slug:step>", plan.plan_step, name="plans-step"),
    path("plans/versions/<int:version_id>/diff", plan.version_diff, name="plans-diff"),
    path("plans/versions/<int:version_id>/sections/add", plan.add_section, name="plans-section-add"),
    path("plans/sections/<int:section_id>/edit", plan.edit_section, name="plans-section-edit"),
    path("plans/sections/<int:section_id>/remove", plan.remove_section, name="plans-section-remove"),
    path("plans/versions/<int:version_id>/team/add", plan.add_team_member, name="plans-team-add"),
    path("plans/team/<int:member_id>/remove", plan.remove_team_member, name="plans-team-remove"),
    path("plans/versions/<int:version_id>/hazards/add", plan.hazard_form, name="plans-hazard-add"),
    path("plans/versions/<int:version_id>/hazards/<int:hazard_id>/edit", plan.hazard_form, name="plans-hazard-edit"),
    path("plans/hazards/<int:hazard_id>/remove", plan.remove_hazard, name="plans-hazard-remove"),
    path("plans/districts/<int:district_id>/template/", template.template_page, name="plans-template"),
    path("plans/districts/<int:district_id>/template/add", template.template_section, name="plans-template-add"),
    path("plans/districts/<int:district_id>/template/<slug:key>", template.template_section,
         name="plans-template-section"),
    path("plans/schools/<int:school_id>/response-protocol/", protocol.response_protocol, name="plans-srp"),
    path("plans/schools/<int:school_id>/site-map/", site_map.site_map, name="plans-site-map"),
    path("plans/schools/<int:school_id>/site-map/import", site_map.site_map_import, name="plans-site-map-import"),
    path("plans/schools/<int:school_id>/site-map.geojson", site_map.site_map_export, name="plans-site-map-export"),
    path("plans/schools/<int:school_id>/responder/", responder.responder, name="plans-responder"),
    path("plans/schools/<int:school_id>/responder/contacts", responder.responder_contact_add, name="plans-contact-add"),
    path("plans/contacts/<int:contact_id>/remove", responder.responder_contact_remove, name="plans-contact-remove"),
    path("plans/schools/<int:school_id>/responder/access", responder.responder_access, name="plans-access"),
    path("plans/schools/<int:school_id>/responder-packet.pdf", responder.packet_pdf, name="plans-packet-pdf"),
    path("plans/schools/<int:school_id>/responder-packet.zip", responder.packet_zip, name="plans-packet-zip"),
]
