"""The notification settings pages: an organization's administrators list, create, change, test and
remove its channels, and read each channel's delivery log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from schoolsafe.access.loaders import NotVisible
from schoolsafe.access.orgkey import OrgKey
from schoolsafe.events.kinds import channel_kinds
from schoolsafe.notifications import actions
from schoolsafe.notifications.forms import ChannelForm
from schoolsafe.notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    NotificationChannel,
)
from schoolsafe.notifications.policies import access_channel, configurable_organizations
from schoolsafe.notifications.tasks import retry_schedule
from schoolsafe.notifications.validation import ChannelError

LOG_SIZE = 50


def _organization_choices(user: Any) -> dict[str, Any]:
    """"kind:id" -> organization, for the organizations whose channels `user` may configure."""
    return {str(OrgKey.of(o)): o for o in configurable_organizations(user)}


def _channels(user: Any) -> Any:
    return NotificationChannel.objects.restrict(user, "change").select_related("agency", "district", "school")


def _channel(request: HttpRequest, channel_id: int) -> NotificationChannel:
    # A channel of another organization does not exist for this user: 404.
    return access_channel(request.user, channel_id, "change")


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    """The channels of every organization the user administers, and the way to add one."""
    organizations = _organization_choices(request.user)
    if not organizations:
        raise NotVisible()
    channels = list(_channels(request.user).order_by("name", "pk"))
    return render(request, "notifications/list.html", {
        "channels": channels, "kinds": ChannelKind.choices, "event_labels": channel_kinds(),
    })


@login_required
def channel_create(request: HttpRequest, kind: str) -> HttpResponse:
    """Add an email, webhook or SMS channel to one of the user's organizations."""
    if kind not in ChannelKind.values:
        raise NotVisible()
    organizations = _organization_choices(request.user)
    if not organizations:
        raise NotVisible()
    choices = [(key, f"{org} ({org._meta.verbose_name})") for key, org in organizations.items()]
    form = ChannelForm(request.POST or None, kind=kind, organizations=choices,
                       initial={"enabled": True, "body_format": "json"})
    if request.method == "POST" and form.is_valid():
        organization = organizations.get(form.cleaned_data.get("organization") or "")
        if organization is None:
            form.add_action_errors({"organization": "choose the organization this channel belongs to"})
        else:
            try:
                channel, secret = actions.do_create_channel(request.user, organization, kind,
                                                            **form.action_arguments())
            except ChannelError as exc:
                form.add_action_errors(exc.errors)
            else:
                if secret:
                    return render(request, "notifications/secret.html", {"channel": channel, "secret": secret,
                                                                         "created": True})
                messages.success(request, f"Channel “{channel.name}” is created.")
                return redirect("notifications-channel", channel.pk)
    return render(request, "notifications/form.html", {
        "form": form, "kind": kind, "kind_label": ChannelKind(kind).label, "channel": None,
    }, status=400 if form.errors else 200)


@login_required
def channel_detail(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A channel's settings (changed here) and its delivery log, newest first."""
    channel = _channel(request, channel_id)
    form = ChannelForm(request.POST or None, kind=channel.kind, channel=channel,
                       initial=ChannelForm.initial_for(channel))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_channel(request.user, channel, **form.action_arguments())
        except ChannelError as exc:
            form.add_action_errors(exc.errors)
        else:
            messages.success(request, f"Channel “{channel.name}” is saved.")
            return redirect("notifications-channel", channel.pk)
    deliveries = (
        Delivery.objects.filter(channel=channel).select_related("notification")
        .prefetch_related(Prefetch("attempt_log", queryset=DeliveryAttempt.objects.order_by("number", "pk")))
        .order_by("-created_at", "-pk")[:LOG_SIZE]
    )
    return render(request, "notifications/detail.html", {
        "channel": channel, "form": form, "deliveries": deliveries, "kind_label": channel.get_kind_display(),
        "log_size": LOG_SIZE, "event_labels": channel_kinds(), "retry_schedule": retry_schedule(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def channel_rotate_secret(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    if channel.kind != ChannelKind.WEBHOOK:
        raise NotVisible()
    secret = actions.do_rotate_channel_secret(request.user, channel)
    return render(request, "notifications/secret.html", {"channel": channel, "secret": secret, "created": False})


@login_required
@require_POST
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    deliveries = actions.do_send_test_notification(request.user, channel)
    messages.success(request, f"A test message is on its way ({len(deliveries)} "
                              f"deliver{'y' if len(deliveries) == 1 else 'ies'}); its outcome appears in the log below.")
    return redirect("notifications-channel", channel.pk)


@login_required
@require_POST
def channel_remove(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(request, channel_id)
    if actions.do_remove_channel(request.user, channel):
        messages.success(request, f"Channel “{channel.name}” is removed; it sends nothing more.")
    return redirect("notifications-channels")
