"""Schemathesis hooks for Schemaforge's API (SCHEMATHESIS_HOOKS=schemaforge_hooks).

`POST /api/v1/schemas/import/sql` takes SQL text as `application/sql`
(RFC 6922), a media type schemathesis has no serializer for: its bodies go
on the wire exactly as `text/plain` ones do.
"""

import schemathesis

schemathesis.serializer.alias("application/sql", "text/plain")
