"""Errors raised by the pure rules. Each names the field at fault so the API can point at it."""

from __future__ import annotations


class DomainError(ValueError):
    """A value or a move the rules of the field do not allow.

    `field` names the offending field (e.g. "last_seen.latitude") so that services can turn it into a
    `ValidationFailed(field, message)` and the API into a problem detail naming the field.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def within(self, prefix: str) -> DomainError:
        """The same error, its field qualified by the enclosing record (e.g. "name" + "last")."""
        field = f"{prefix}.{self.field}" if self.field else prefix
        error = type(self).__new__(type(self))
        DomainError.__init__(error, self.message, field=field)
        error.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("message", "field")})
        return error

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class InvalidValue(DomainError):
    """A field holds a value the field cannot hold (empty name, latitude 200, unit "abc")."""


class IllegalTransition(DomainError):
    """A status change the declared transition table does not allow."""

    def __init__(self, message: str, *, current: str, new: str, field: str | None = "status") -> None:
        super().__init__(message, field=field)
        self.current = current
        self.new = new
