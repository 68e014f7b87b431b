"""From API bodies to the services' inputs; a bad field is named as the client sent it."""

from __future__ import annotations

from pydantic import ValidationError

from kintrace.api.schemas import PersonUpdate, RelativeIn, RelativeOut
from kintrace.domain.records import PersonRecord, field_values, problems
from kintrace.services.access import Actor
from kintrace.services.cases import RelativeInput
from kintrace.services.errors import ValidationFailed
from kintrace.services.redaction import contact_details
from kintrace.store.models import MissingPerson as PersonRow
from kintrace.store.models import Relative


def person_updated(row: PersonRow, body: PersonUpdate) -> PersonRecord:
    """The stored person with the fields the client sent laid over it, checked again as a whole."""
    values = field_values(PersonRecord.model_validate(row))
    values.update(field_values(body, body.model_fields_set))
    try:
        return PersonRecord.model_validate(values)
    except ValidationError as error:
        field, message = problems(error)[0]
        raise ValidationFailed(field, message) from None


def relative_input(body: RelativeIn) -> RelativeInput:
    return RelativeInput(
        full_name=body.full_name,
        relationship=body.relationship,
        relationship_note=body.relationship_note,
        is_reporter=body.is_reporter,
        phone=body.phone,
        email=body.email,
        address=body.address,
        notes=body.notes,
        user_id=body.user_id,
    )


def relative_out(actor: Actor, row: Relative) -> RelativeOut:
    """A relative as this actor may see them: contact details by the services' one contact rule."""
    return RelativeOut.model_validate(row).model_copy(update=contact_details(actor, row))
