"""The tipster's pages: report a tip, then follow it up with the code and passphrase.

No sign-in and no cookie: the follow-up page keeps the tipster recognised between the lookup and an
answer with a signed token inside the page's form, valid for 30 minutes, never in a URL (it would land
in the browser's history on a shared device).
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from schoolsafe.core.models import School
from schoolsafe.core.portal import public_page, render_portal
from schoolsafe.tips import anonymous
from schoolsafe.tips.actions import TipStateError, do_add_tipster_message, do_submit_tip
from schoolsafe.tips.attachments import (
    MAX_FILES,
    AttachmentError,
    check_attachments,
    install_upload_limit,
    oversize_error,
)
from schoolsafe.tips.credentials import check_passphrase, dummy_check, normalize_code
from schoolsafe.tips.forms import LookupForm, TipForm, TipsterMessageForm
from schoolsafe.tips.models import Source, Tip, TipAttachment, TipMessage

FOLLOW_UP_SALT = "schoolsafe.tips.follow-up"
FOLLOW_UP_SECONDS = 30 * 60
# Above this many schools the form asks for a search instead of listing them all (a phone on a slow
# connection should not download every school of a state).
LIST_ALL_UP_TO = 400


def school_choices(query: str) -> tuple[list[dict[str, Any]], bool]:
    """Schools for the form, grouped by district: all of them when there are few, else those matching
    `query` (name or city). Returns (groups, needs_search)."""
    cache_key = "tips:school-choices"
    everything = cache.get(cache_key)
    if everything is None:
        total = School.objects.count()
        if total <= LIST_ALL_UP_TO:
            everything = list(School.objects.order_by("district__name", "name")
                              .values("pk", "name", "city", "district__name"))
        else:
            everything = False
        cache.set(cache_key, everything, 300)
    if everything is not False:
        rows = everything
    elif query:
        rows = list(School.objects.filter(name__icontains=query).order_by("district__name", "name")
                    .values("pk", "name", "city", "district__name")[:60]) or list(
            School.objects.filter(city__icontains=query).order_by("district__name", "name")
            .values("pk", "name", "city", "district__name")[:60])
    else:
        return [], True
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["district__name"], []).append(row)
    return [{"district": name, "schools": schools} for name, schools in groups.items()], everything is False


def _error_summary(form: Any, extra: dict[str, str]) -> list[dict[str, str]]:
    items = [{"field": name, "label": str(form.fields[name].label) if name in form.fields else name,
              "message": str(errors[0])} for name, errors in form.errors.items()]
    items += [{"field": name, "label": _("Attachments") if name == "attachments" else str(form.fields[name].label),
               "message": message} for name, message in extra.items()]
    return items


@csrf_exempt
@public_page()
def report(request: HttpRequest, lang: str) -> HttpResponse:
    """The tip form; a valid POST stores the tip and shows its code and passphrase, once."""
    query = request.GET.get("q", "").strip()[:100]
    if request.method != "POST":
        groups, needs_search = school_choices(query)
        return render_portal(request, lang, "tips/public/report.html", {
            "form": TipForm(), "school_groups": groups, "needs_search": needs_search, "query": query,
            "max_files": MAX_FILES,
        })
    if anonymous.cross_site(request):
        return render_portal(request, lang, "tips/public/refused.html", {
            "message": _("This form can only be sent from this site's own page.")}, status=403)
    wait = anonymous.submit_limit(request)
    if wait:
        response = render_portal(request, lang, "tips/public/refused.html", {
            "message": _("Too many tips were sent from this connection. Please try again in %(minutes)d minutes, "
                         "or call 911 in an emergency.") % {"minutes": anonymous.minutes(wait)}}, status=429)
        response["Retry-After"] = str(wait)
        return response
    install_upload_limit(request)
    form = TipForm(request.POST)
    attachment_errors: dict[str, str] = {}
    clean_files = []
    status = 422
    too_big = oversize_error(request)
    if too_big:
        attachment_errors["attachments"] = too_big.message
        status = too_big.status
    else:
        try:
            clean_files = check_attachments(request.FILES.getlist("attachments"))
        except AttachmentError as exc:
            attachment_errors["attachments"] = exc.message
            status = exc.status
    if form.is_valid() and not attachment_errors:
        tip, passphrase = do_submit_tip(form.tip_input(lang), clean_files, source=Source.WEB)
        return render_portal(request, lang, "tips/public/submitted.html", {"tip": tip, "passphrase": passphrase},
                             status=201)
    groups, needs_search = school_choices(query)
    if needs_search and form.cleaned_data.get("school"):
        school = form.cleaned_data["school"]
        groups = [{"district": "", "schools": [{"pk": school.pk, "name": school.name, "city": "", "district__name": ""}]}]
    return render_portal(request, lang, "tips/public/report.html", {
        "form": form, "school_groups": groups, "needs_search": needs_search, "query": query,
        "attachment_error": attachment_errors.get("attachments"), "max_files": MAX_FILES,
        "errors": _error_summary(form, attachment_errors),
    }, status=status)


def find_tip(code: str, passphrase: str) -> Tip | None:
    """The tip with this code when the passphrase matches; both mistakes cost the same time."""
    tip = Tip.objects.filter(code=normalize_code(code)).select_related("school").first()
    if tip is None:
        dummy_check(passphrase)
        return None
    return tip if check_passphrase(passphrase, tip.passphrase_hash) else None


def follow_up_token(tip: Tip) -> str:
    return signing.dumps({"tip": tip.pk}, salt=FOLLOW_UP_SALT, compress=False)


def tip_from_token(token: str) -> Tip | None:
    try:
        payload = signing.loads(token, salt=FOLLOW_UP_SALT, max_age=FOLLOW_UP_SECONDS)
    except signing.BadSignature:
        return None
    return Tip.objects.filter(pk=payload.get("tip")).select_related("school").first()


def tipster_view(tip: Tip) -> dict[str, Any]:
    """What the tipster may see of their tip: status and the thread, nothing internal."""
    messages = list(TipMessage.objects.filter(tip=tip).prefetch_related(
        Prefetch("attachments", queryset=TipAttachment.objects.only("pk", "message_id", "kind"))))
    return {"tip": tip, "thread": messages, "token": follow_up_token(tip),
            "awaiting_answer": bool(messages) and not messages[-1].from_tipster and tip.is_open,
            "first_attachments": tip.attachments.filter(message__isnull=True).count()}


@csrf_exempt
@public_page()
def follow_up(request: HttpRequest, lang: str) -> HttpResponse:
    """GET: the code-and-passphrase form. POST: the tip's status and thread, or an answer to it."""
    if request.method != "POST":
        return render_portal(request, lang, "tips/public/lookup.html", {"form": LookupForm()})
    if anonymous.cross_site(request):
        return render_portal(request, lang, "tips/public/refused.html", {
            "message": _("This form can only be sent from this site's own page.")}, status=403)
    # Before anything reads the body: the size guard must see the upload as it streams in.
    install_upload_limit(request)
    if "token" in request.POST:
        return _answer(request, lang)
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render_portal(request, lang, "tips/public/lookup.html", {
            "form": form, "errors": _error_summary(form, {})}, status=422)
    code = normalize_code(form.cleaned_data["code"])
    wait = anonymous.lookup_blocked(request)
    if wait:
        return _too_many_attempts(request, lang, wait)
    tip = find_tip(code, form.cleaned_data["passphrase"])
    if tip is None:
        wait = anonymous.wrong_passphrase(request, code)
        if wait:
            return _too_many_attempts(request, lang, wait)
        return render_portal(request, lang, "tips/public/lookup.html", {"form": LookupForm(initial={"code": code}),
                             "errors": [{"field": "passphrase", "label": _("Passphrase"), "message": _(
                                 "No tip matches this code and passphrase. Check both and try again.")}]},
                             status=404)
    return render_portal(request, lang, "tips/public/status.html", {**tipster_view(tip), "form": TipsterMessageForm()})


def _too_many_attempts(request: HttpRequest, lang: str, wait: int) -> HttpResponse:
    response = render_portal(request, lang, "tips/public/lookup.html", {"form": LookupForm(), "errors": [{
        "field": "id_code", "label": _("Tip code"),
        "message": _("Too many attempts. Please wait %(minutes)d minutes and try again.")
        % {"minutes": anonymous.minutes(wait)}}]}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _answer(request: HttpRequest, lang: str) -> HttpResponse:
    tip = tip_from_token(request.POST.get("token", ""))
    if tip is None:
        return render_portal(request, lang, "tips/public/lookup.html", {"form": LookupForm(), "errors": [{
            "field": "code", "label": _("Tip code"),
            "message": _("For your safety the page expired after 30 minutes. Enter your code and passphrase again.")}]},
            status=403)
    form = TipsterMessageForm(request.POST)
    extra: dict[str, str] = {}
    clean_files = []
    status = 422
    too_big = oversize_error(request)
    if too_big:
        extra["attachments"], status = too_big.message, too_big.status
    else:
        try:
            clean_files = check_attachments(request.FILES.getlist("attachments"))
        except AttachmentError as exc:
            extra["attachments"], status = exc.message, exc.status
    if form.is_valid() and not extra:
        try:
            do_add_tipster_message(tip, form.cleaned_data["body"].strip(), clean_files)
        except TipStateError:
            extra["body"] = _("This tip is closed; it cannot take more messages. You can send a new tip.")
            status = 409
        else:
            return render_portal(request, lang, "tips/public/status.html", {
                **tipster_view(tip), "form": TipsterMessageForm(), "sent": True})
    return render_portal(request, lang, "tips/public/status.html", {
        **tipster_view(tip), "form": form, "errors": _error_summary(form, extra),
        "attachment_error": extra.get("attachments")}, status=status)
