"""The route class of every page: failures become pages (sign-in redirect, 403, 404, 409), not JSON."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from kintrace.http.problem_details import BodyTooLarge
from kintrace.services.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from kintrace.web.pages import render
from kintrace.web.session import CsrfRejected, SignInRequired, WrongDoor, sign_in_url


def _error_page(request: Request, status_code: int, title: str, detail: str) -> Response:
    return render(request, "error.html", {"title": title, "detail": detail}, status_code=status_code)


class PageRoute(APIRoute):
    """A route answering failures as pages: sign-in redirects, 403/404/409 pages in the reader's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired as need:
                return RedirectResponse(sign_in_url(need.next_path), status_code=303)
            except WrongDoor as wrong:
                return RedirectResponse(wrong.home, status_code=303)
            except CsrfRejected:
                return _error_page(request, 403, "csrf", "")
            except NotFound:
                return _error_page(request, 404, "not-found", "")
            except Forbidden as error:
                return _error_page(request, 403, "forbidden", str(error))
            except (Conflict, ValidationFailed) as error:
                return _error_page(request, 409, "conflict", str(error))
            except BodyTooLarge as error:
                return _error_page(request, 413, "too-large", str(error.detail))
            except ServiceError as error:  # pragma: no cover - every service error has a class above
                return _error_page(request, 400, "conflict", str(error))

        return page_handler
