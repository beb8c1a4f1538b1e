from django.contrib import admin

from schoolsafe.core.models import Agency, District, InstanceSetting, School


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "county", "phone"]
    search_fields = ["name", "city", "county", "hifld_id"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "nces_id", "county", "state"]
    search_fields = ["name", "nces_id", "county"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "district", "level", "city", "enrollment"]
    list_filter = ["level", "state"]
    search_fields = ["name", "nces_id", "city"]
    autocomplete_fields = ["district", "agencies"]


@admin.register(InstanceSetting)
class InstanceSettingAdmin(admin.ModelAdmin):
    list_display = ["key", "value"]
