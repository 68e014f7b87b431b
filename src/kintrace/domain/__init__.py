"""Pure rules of the field: no I/O, no database, no web. Everything else imports from here.

- `vocabulary`: the shared enums (status, claim, source kind, Admiralty grades, roles, outcomes).
- `dates`: `PartialDate` (year, year-month or full date) with interval reasoning.
- `errors`: `DomainError(field=...)`, `InvalidValue`, `IllegalTransition`.
- `person`: the missing person (`MissingPerson`, `PersonName`, `PhysicalDescription`, `LastSeen`,
  `parse_unit`), validated on construction.
- `records`: the record model, `PersonRecord` (the person's fields once, as the persons table names
  them; the rules of `person` called from its validator), the `PartialDate` annotated type, `view`.
- `evidence`: `SourceRef` (graded source) and `EvidenceFact` (one item), as the rules see them.
- `status`: the one transition table (`TABLE`, `TRANSITIONS`, `check_transition`, `transition_path`),
  the named evidence rules (`derive_evidence_status`, `RULES`) and `divergence`.
- `contradictions`: the named timeline rules (`find_contradictions`, `RULES`).
- `requests`: status-change request clocks (days pending, overdue, days overdue).
"""
