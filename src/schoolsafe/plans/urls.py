from django.urls import path

from schoolsafe.plans import views

urlpatterns = [
    path("plans/", views.dashboard, name="plans-dashboard"),
    path("plans/schools/<int:school_id>/", views.school_plan, name="plans-school"),
    path("plans/schools/<int:school_id>/create", views.create_plan, name="plans-create"),
    path("plans/versions/<int:version_id>/step/<slug:step>", views.plan_step, name="plans-step"),
    path("plans/versions/<int:version_id>/diff", views.version_diff, name="plans-diff"),
    path("plans/versions/<int:version_id>/sections/add", views.add_section, name="plans-section-add"),
    path("plans/sections/<int:section_id>/edit", views.edit_section, name="plans-section-edit"),
    path("plans/sections/<int:section_id>/remove", views.remove_section, name="plans-section-remove"),
    path("plans/versions/<int:version_id>/team/add", views.add_team_member, name="plans-team-add"),
    path("plans/team/<int:member_id>/remove", views.remove_team_member, name="plans-team-remove"),
    path("plans/versions/<int:version_id>/hazards/add", views.hazard_form, name="plans-hazard-add"),
    path("plans/versions/<int:version_id>/hazards/<int:hazard_id>/edit", views.hazard_form, name="plans-hazard-edit"),
    path("plans/hazards/<int:hazard_id>/remove", views.remove_hazard, name="plans-hazard-remove"),
    path("plans/districts/<int:district_id>/template/", views.template_page, name="plans-template"),
    path("plans/districts/<int:district_id>/template/add", views.template_section, name="plans-template-add"),
    path("plans/districts/<int:district_id>/template/<slug:key>", views.template_section,
         name="plans-template-section"),
    path("plans/schools/<int:school_id>/response-protocol/", views.response_protocol, name="plans-srp"),
    path("plans/schools/<int:school_id>/site-map/", views.site_map, name="plans-site-map"),
    path("plans/schools/<int:school_id>/site-map/import", views.site_map_import, name="plans-site-map-import"),
    path("plans/schools/<int:school_id>/site-map.geojson", views.site_map_export, name="plans-site-map-export"),
    path("plans/schools/<int:school_id>/responder/", views.responder, name="plans-responder"),
    path("plans/schools/<int:school_id>/responder/contacts", views.responder_contact_add, name="plans-contact-add"),
    path("plans/contacts/<int:contact_id>/remove", views.responder_contact_remove, name="plans-contact-remove"),
    path("plans/schools/<int:school_id>/responder/access", views.responder_access, name="plans-access"),
    path("plans/schools/<int:school_id>/responder-packet.pdf", views.packet_pdf, name="plans-packet-pdf"),
    path("plans/schools/<int:school_id>/responder-packet.zip", views.packet_zip, name="plans-packet-zip"),
]
