"""API tokens: created (shown once), used, revoked (401 after), never more than the user may do."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from schoolsafe.accounts import actions
from schoolsafe.accounts.models import ApiToken
from schoolsafe.api.auth import api_auth
from schoolsafe.audit.models import AuditEntry
from schoolsafe.cli import main
from schoolsafe.testing.personas import client_for


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def cli(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out.strip().splitlines(), out.err.strip()


def test_token_created_on_the_command_line_is_used_then_revoked(teacher_a, capsys):
    code, lines, _ = cli(capsys, "token", "create", "--user", "teacher_a", "--label", "CAD bridge")
    assert code == 0
    raw = lines[-1]
    assert re.fullmatch(r"ss_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", raw)
    api = Client()
    response = api.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200 and response.json()["username"] == "teacher_a"

    token = ApiToken.objects.get()
    assert token.secret_hash != raw and raw not in token.secret_hash and token.label == "CAD bridge"
    assert token.last_used_at is not None

    code, lines, _ = cli(capsys, "token", "list")
    assert code == 0 and token.prefix in lines[-1] and raw not in "\n".join(lines)

    code, _, _ = cli(capsys, "token", "revoke", token.prefix)
    assert code == 0
    response = api.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid or revoked API token"}
    assert AuditEntry.objects.filter(action="accounts.token_created", object_id=str(token.pk)).exists()
    assert AuditEntry.objects.filter(action="accounts.token_revoked", object_id=str(token.pk)).exists()


def test_unknown_or_malformed_token_gets_401_json(db):
    for header in ["Bearer ss_00000000_" + "x" * 43, "Bearer ", "Bearer " + "y" * 500]:
        response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert "detail" in response.json()


def test_no_credentials_at_all_gets_401_json(db):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401 and response.json()["detail"]


def test_a_wrong_token_does_not_fall_back_to_the_session_cookie(teacher_a):
    client = client_for(teacher_a)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", **bearer("ss_deadbeef_nope")).status_code == 401


def test_token_never_grants_more_than_its_user_has(teacher_a, world):
    _, raw = create_on_page(client_for(teacher_a), "grades sync")
    api = Client()
    assert api.get(f"/api/v1/schools/{world.school_a.pk}", **bearer(raw)).status_code == 200
    assert api.get(f"/api/v1/schools/{world.school_b.pk}", **bearer(raw)).status_code == 404, "another district"
    assert api.get(f"/api/v1/schools/{world.school_a2.pk}", **bearer(raw)).status_code == 404, "another school"
    listed = {s["id"] for s in api.get("/api/v1/schools", **bearer(raw)).json()["items"]}
    assert listed == {world.school_a.pk}


def create_on_page(client: Client, label: str) -> tuple[ApiToken, str]:
    response = client.post("/accounts/tokens/", {"label": label})
    assert response.status_code == 200
    found = re.search(r'id="new-token" value="([^"]+)"', response.content.decode())
    assert found is not None, "the page shows the new token's secret"
    raw = found.group(1)
    return ApiToken.objects.get(label=label), raw


def test_token_page_shows_the_secret_once_lists_and_revokes(teacher_a):
    client = client_for(teacher_a)
    token, raw = create_on_page(client, "attendance export")
    assert response_no_store(client)
    page = client.get("/accounts/tokens/").content.decode()
    assert raw not in page, "shown once only"
    assert "attendance export" in page and f"ss_{token.prefix}_" in page

    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert "revoked" in client.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 401


def response_no_store(client: Client) -> bool:
    response = client.post("/accounts/tokens/", {"label": "probe"})
    return "no-store" in response["Cache-Control"]


def test_nobody_revokes_or_sees_another_persons_token(teacher_a, teacher_b):
    token, raw = create_on_page(client_for(teacher_a), "mine")
    other = client_for(teacher_b)
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert "mine" not in other.get("/accounts/tokens/").content.decode()
    assert Client().get("/api/v1/me", **bearer(raw)).status_code == 200


def test_a_token_needs_a_label_and_nothing_is_written_without_one(teacher_a):
    response = client_for(teacher_a).post("/accounts/tokens/", {"label": "   "})
    assert response.status_code == 400
    assert "label:" in response.content.decode()
    assert not ApiToken.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.token_created").exists()


# A POST endpoint behind the project's own api_auth, mounted for these tests only.
probe_api = NinjaAPI(auth=api_auth, urls_namespace="csrf-probe")


@probe_api.post("/probe")
def probe(request):
    return {"user": request.auth.username}


urlpatterns = [path("probe-api/", probe_api.urls)]


@pytest.mark.urls(__name__)
def test_token_posts_need_no_csrf_but_session_posts_do(teacher_a):
    _, raw = actions.do_create_api_token(teacher_a, teacher_a, "gateway")
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/probe-api/probe", **bearer(raw))
    assert response.status_code == 200 and response.json() == {"user": "teacher_a"}

    strict.force_login(teacher_a)
    assert strict.post("/probe-api/probe").status_code == 403, "a session POST without the CSRF token"


def test_cli_refuses_an_unknown_user_in_one_line(db, capsys):
    code, lines, err = cli(capsys, "token", "create", "--user", "nobody")
    assert code != 0 and lines == [] and err.count("\n") == 0 and "nobody" in err


@pytest.mark.parametrize("ref", ["zzzzzzzz", "999999"])
def test_cli_revoke_of_an_unknown_token_fails(db, capsys, ref):
    code, _, err = cli(capsys, "token", "revoke", ref)
    assert code != 0 and "no token" in err


def test_25_2_token_made_without_mfa_cannot_read_tips(teacher_a, world):
    """A token made in a password-only session, whose user is later granted a role that
    needs the second factor, must not read tips (nor open the event stream) until confirmed with it."""
    from schoolsafe.accounts.models import Membership, User
    from schoolsafe.accounts.tokens import user_for_token
    from schoolsafe.tips.actions import TipInput, do_submit_tip

    tip, _ = do_submit_tip(TipInput(category="weapon", school=world.school_a, what="a gun in a locker"))
    token, raw = create_on_page(client_for(teacher_a), "my script")
    assert token.assurance == ApiToken.PASSWORD
    api = Client()
    assert api.get("/api/v1/me", **bearer(raw)).status_code == 200, "a teacher's role needs no second factor"

    Membership.objects.create(user=teacher_a, role="tip_analyst", district=world.district_a)
    for url in ["/api/v1/tips", f"/api/v1/tips/{tip.pk}", "/api/v1/me"]:
        response = api.get(url, **bearer(raw))
        assert response.status_code == 401, url
        assert "second factor" in response.json()["detail"]
    assert user_for_token(raw) is None, "the event stream refuses it too"

    # Signed in with the second factor, the person sees the token suspended and may confirm it.
    client = client_for(User.objects.get(pk=teacher_a.pk))
    assert "Suspended" in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{token.pk}/confirm/").status_code == 302
    listed = api.get("/api/v1/tips", **bearer(raw))
    assert listed.status_code == 200 and tip.pk in {t["id"] for t in listed.json()}
    assert AuditEntry.objects.filter(action="accounts.token_confirmed", object_id=str(token.pk)).exists()


def test_25_2_token_made_after_the_second_factor_works_for_a_role_that_needs_it(analyst_a):
    token, raw = create_on_page(client_for(analyst_a), "tip export")
    assert token.assurance == ApiToken.SECOND_FACTOR
    assert Client().get("/api/v1/tips", **bearer(raw)).status_code == 200
    entry = AuditEntry.objects.get(action="accounts.token_created", object_id=str(token.pk))
    assert entry.summary["assurance"] == ApiToken.SECOND_FACTOR


def test_25_2_a_token_cannot_be_confirmed_without_the_second_factor(teacher_a, world):
    from schoolsafe.accounts.models import Membership

    token, raw = create_on_page(client_for(teacher_a), "my script")
    Membership.objects.create(user=teacher_a, role="tip_analyst", district=world.district_a)
    half = Client()
    half.force_login(teacher_a)
    response = half.post(f"/accounts/tokens/{token.pk}/confirm/")
    assert response.status_code == 302 and "/accounts/security/" in response["Location"]
    assert ApiToken.objects.get(pk=token.pk).assurance == ApiToken.PASSWORD
    assert Client().get("/api/v1/tips", **bearer(raw)).status_code == 401


def test_25_2_an_operator_token_for_a_dispatcher_works(dispatcher, capsys):
    code, lines, _ = cli(capsys, "token", "create", "--user", "dispatcher_a", "--label", "CAD bridge")
    assert code == 0
    assert ApiToken.objects.get().assurance == ApiToken.OPERATOR
    assert Client().get("/api/v1/me", **bearer(lines[-1])).status_code == 200
