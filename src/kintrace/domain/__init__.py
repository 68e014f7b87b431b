"""Pure rules of the field: no I/O, no database, no web. Everything else imports from here."""
