"""Signing in to the console: the sign-in form's CSRF token, the key exchanged for a session cookie, failed
attempts slowed down per client address (as the API's gate does), and only staff let in."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from service.console import csrf
from service.console.session import COOKIE, StaffOnly, secret, sign_in, sign_out
from service.console.web import HEADERS, console_url, render, set_cookie, translator
from service.core.errors import Unauthorized
from service.core.limits import TokenBuckets
from service.records.unit_of_work import unit_of_work


def safe_next(target: str) -> str:
    """Where to go after signing in: a console path only (never another site)."""
    return target if target.startswith("/console/") and not target.startswith("//") and "\\" not in target \
        else "/console/"


def form_token(request: Request, form_id: str) -> str:
    """The sign-in form's CSRF token, derived from the pre-session cookie's random id."""
    with unit_of_work(request.app.state.engine) as session:
        return csrf.token(secret=secret(session=session), session_id=form_id)


def failures(request: Request) -> TokenBuckets:
    """Failed sign-ins per client address, in this worker (the API gate's rate and burst)."""
    state = request.app.state
    if not hasattr(state, "console_sign_in_failures"):
        settings = state.settings
        state.console_sign_in_failures = TokenBuckets(per_minute=settings.rate_limit_per_minute,
                                                      burst=settings.rate_limit_burst)
    return state.console_sign_in_failures


def exchange(request: Request, *, raw_key: str, sent_token: str, next: str) -> Response:
    """Check the form's token and the key; a staff key gets a session cookie and goes on to `next`."""
    t = translator(request)
    address = "addr:" + str(request.client.host if request.client else "?")

    def again(message: str, status: int) -> Response:
        form_id = csrf.new_id()
        response = render(request, "sign_in.html", {"next": safe_next(next), "error": message,
                                                    "form_token": form_token(request, form_id)}, t=t, status=status)
        set_cookie(request, response, csrf.PRE_SESSION_COOKIE, form_id, max_age=3600)
        return response

    if failures(request).peek(address) > 0:
        return again(t("signin.too_many"), 429)
    with unit_of_work(request.app.state.engine) as session:
        try:
            csrf.check(secret=secret(session=session), session_id=request.cookies.get(csrf.PRE_SESSION_COOKIE),
                       sent=sent_token)
        except csrf.CsrfRejected:
            return again(t("signin.form_expired"), 403)
        try:
            _, cookie = sign_in(session=session, raw_key=raw_key,
                                hours=request.app.state.settings.console_session_hours)
        except Unauthorized:
            failures(request).take(address)
            return again(t("signin.invalid_key"), 401)
        except StaffOnly:
            return render(request, "staff_only.html", {}, t=t, status=403)
    response = RedirectResponse(console_url(request, safe_next(next).removeprefix("/console")), status_code=303)
    response.headers.update(HEADERS)
    set_cookie(request, response, COOKIE, cookie, max_age=request.app.state.settings.console_session_hours * 3600)
    response.delete_cookie(csrf.PRE_SESSION_COOKIE, path="/console")
    return response


def leave(request: Request) -> None:
    """Sign out: the session its cookie holds is ended, so no copy of the cookie signs anyone in again."""
    with unit_of_work(request.app.state.engine) as session:
        sign_out(session=session, cookie=request.cookies.get(COOKIE))
