"""Schemathesis hooks for ci/schemathesis and ci/speed.

Each request is adjusted just before it is sent (`before_call`, which every phase goes through;
Schemathesis then judges the request as sent against the schema again):

- a list query is made coherent across its parameters, which OpenAPI 3.1 cannot express: cursor
  or limit with page or page_size is answered 422 naming each (COL-03), and so is order=asc beside
  a `-` sort (COL-06); each parameter alone is valid. The conformance suite checks those clauses.
- a cursor is one the server issued to this run, or none: any other is answered 422 (COL-04), and
  which strings the server signs no schema can say. An issued cursor carries its sort and filters,
  so the query's own are left out (COL-04 answers the same or none as the cursor says).
- a valid Idempotency-Key is tied to the body it comes with: the same key with another body is
  answered 422 (HTTP-09), which a generated key cannot know it would meet.
- a write to the run's own admin (SCHEMATHESIS_ADMIN_ID) goes to a stand-in user instead
  (SCHEMATHESIS_STAND_IN_ID): a PUT without role, a PATCH of is_active or a DELETE of the caller
  itself would leave every later request of the run unauthenticated.
"""

import hashlib
import json
import os
import re

import schemathesis

VISIBLE_ASCII = re.compile(r"^[!-~]{1,255}$")
WRITES = {"replaceUser", "patchUser", "deleteUser"}
CURSOR_KEEPS = ("sort", "order", "role", "is_active", "search")
issued_cursors = set()


def _operation_id(context):
    operation = context.operation
    return operation.definition.raw.get("operationId") if operation is not None else None


def _same_id(value, wanted):
    try:
        return wanted is not None and int(str(value)) == int(wanted)
    except ValueError:
        return False


@schemathesis.hook
def before_call(context, case, kwargs):
    operation_id = _operation_id(context)
    if operation_id == "listUsers" and case.query:
        query = dict(case.query)
        if {"page", "page_size"} & query.keys():
            query.pop("cursor", None)
            query.pop("limit", None)
        cursor = query.get("cursor")
        if isinstance(cursor, str) and cursor:
            if cursor in issued_cursors:
                for name in CURSOR_KEEPS:
                    query.pop(name, None)
            else:
                del query["cursor"]
        sort = query.get("sort")
        if isinstance(sort, str) and sort.startswith("-") and query.get("order") == "asc":
            del query["order"]
        if query != case.query:
            case.query = query
    elif operation_id == "signUp" and case.headers:
        key = case.headers.get("Idempotency-Key")
        if isinstance(key, str) and VISIBLE_ASCII.match(key):
            body = json.dumps(case.body, sort_keys=True, default=str).encode()
            case.headers["Idempotency-Key"] = f"{key[:238]}-{hashlib.sha256(body).hexdigest()[:16]}"
    elif operation_id in WRITES and case.path_parameters:
        admin, stand_in = os.environ.get("SCHEMATHESIS_ADMIN_ID"), os.environ.get("SCHEMATHESIS_STAND_IN_ID")
        if stand_in and _same_id(case.path_parameters.get("id"), admin):
            case.path_parameters = {**case.path_parameters, "id": int(stand_in)}


@schemathesis.hook
def after_call(context, case, response):
    if _operation_id(context) == "listUsers" and response.status_code == 200:
        try:
            cursor = response.json().get("next_cursor")
        except (ValueError, AttributeError):
            return
        if isinstance(cursor, str):
            issued_cursors.add(cursor)
