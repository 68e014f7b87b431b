"""Errors the services raise; the API maps them to problem details, the CLI to messages."""

from __future__ import annotations

from kintrace.domain.dates import PartialDateError


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""


class NotFound(ServiceError):
    """No such record, or one the actor may not know exists (answered as 404 either way)."""

    def __init__(self, entity: str, id: object) -> None:
        super().__init__(f"{entity} {id} not found")
        self.entity = entity
        self.id = id


class Forbidden(ServiceError):
    """The actor may see the record but not do this to it."""


class ValidationFailed(ServiceError):
    """Bad input; `field` names what was wrong (for an import row: "row 12: birth_date")."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message

    @classmethod
    def from_error(cls, error: ValueError, field: str | None = None) -> ValidationFailed:
        """Wrap a domain error (DomainError carries `.field`) or a bad partial date."""
        own_field = getattr(error, "field", None)
        return cls(own_field or field, str(error))


class Conflict(ServiceError):
    """The request clashes with the current state (a duplicate username, a case already merged)."""


__all__ = ["Conflict", "Forbidden", "NotFound", "PartialDateError", "ServiceError", "ValidationFailed"]
