"""Checks a REST-JSON response against botocore's loaded service model, independently of the sandbox's code.

Each function returns the deviations it found (one line each) and counts every check it made.
"""

import base64
import json
import re

ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})")
# Keys restJson1 error bodies may carry besides the error shape's members.
ERROR_PROTOCOL_KEYS = {"__type", "code"}


class Tally:
    def __init__(self):
        self.checks = 0
        self.deviations = []

    def check(self, ok, where, what):
        self.checks += 1
        if not ok:
            self.deviations.append(f"{where}: {what}")
        return ok


_patterns = {}


def _pattern(source):
    """The model's (Java) pattern compiled for Python, or None if Python cannot compile it."""
    if source not in _patterns:
        try:
            _patterns[source] = re.compile(source)
        except re.error:
            _patterns[source] = None
    return _patterns[source]


def _json_name(name, member):
    return member.serialization.get("name", name)


def check_value(tally, where, shape, value, timestamp_format="unixTimestamp"):
    """A JSON value from the wire against its shape: type, lengths, pattern, range, enum, members."""
    kind = shape.type_name
    if not tally.check(value is not None, where, "null where the model has a value (AWS omits absent members)"):
        return
    meta = shape.metadata
    if meta.get("document"):
        return  # a document (e.g. providerEntityOutputDefinition) is any JSON value
    if kind == "structure":
        if not tally.check(isinstance(value, dict), where, f"expected an object ({shape.name}), got {type(value).__name__}"):
            return
        check_structure(tally, where, shape, value)
    elif kind == "list":
        if not tally.check(isinstance(value, list), where, f"expected a list ({shape.name}), got {type(value).__name__}"):
            return
        _check_length(tally, where, meta, len(value), "list length")
        for i, item in enumerate(value):
            check_value(tally, f"{where}[{i}]", shape.member, item, _timestamp_format(shape.member, timestamp_format))
    elif kind == "map":
        if not tally.check(isinstance(value, dict), where, f"expected a map ({shape.name}), got {type(value).__name__}"):
            return
        _check_length(tally, where, meta, len(value), "map size")
        for key, item in value.items():
            # Map keys may be user data: the map is named, not the key.
            check_value(tally, f"{where}.<key>", shape.key, key)
            check_value(tally, f"{where}.<value>", shape.value, item, _timestamp_format(shape.value, timestamp_format))
    elif kind == "string":
        if not tally.check(isinstance(value, str), where, f"expected a string ({shape.name}), got {type(value).__name__}"):
            return
        _check_length(tally, where, meta, len(value), "string length")
        if "pattern" in meta:
            compiled = _pattern(meta["pattern"])
            if compiled is not None:
                tally.check(compiled.fullmatch(value) is not None, where, f"does not match the model's pattern {meta['pattern']} ({shape.name})")
        if shape.enum:
            tally.check(value in shape.enum, where, f"'{value}' is not in the enum {shape.name} {list(shape.enum)}")
    elif kind in ("integer", "long"):
        if not tally.check(isinstance(value, int) and not isinstance(value, bool), where, f"expected an integer ({shape.name}), got {value!r}"):
            return
        _check_range(tally, where, meta, value)
    elif kind in ("float", "double"):
        if not tally.check(isinstance(value, (int, float)) and not isinstance(value, bool), where, f"expected a number ({shape.name}), got {value!r}"):
            return
        _check_range(tally, where, meta, value)
    elif kind == "boolean":
        tally.check(isinstance(value, bool), where, f"expected a boolean, got {value!r}")
    elif kind == "timestamp":
        fmt = shape.serialization.get("timestampFormat", timestamp_format)
        if fmt == "iso8601":
            tally.check(isinstance(value, str) and ISO_8601.fullmatch(value) is not None, where, f"expected an ISO 8601 timestamp string, got {value!r}")
        elif fmt == "unixTimestamp":
            tally.check(isinstance(value, (int, float)) and not isinstance(value, bool), where, f"expected an epoch-seconds number, got {value!r}")
        else:
            tally.check(isinstance(value, str), where, f"expected a {fmt} timestamp string, got {value!r}")
    elif kind == "blob":
        ok = isinstance(value, str)
        if ok:
            try:
                base64.b64decode(value, validate=True)
            except ValueError:
                ok = False
        tally.check(ok, where, "expected a base64 blob")


def _timestamp_format(shape, default):
    return shape.serialization.get("timestampFormat", default)


def _check_length(tally, where, meta, length, what):
    if "min" in meta:
        tally.check(length >= meta["min"], where, f"{what} {length} is below the model's min {meta['min']}")
    if "max" in meta:
        tally.check(length <= meta["max"], where, f"{what} {length} is above the model's max {meta['max']}")


def _check_range(tally, where, meta, value):
    if "min" in meta:
        tally.check(value >= meta["min"], where, f"{value} is below the model's min {meta['min']}")
    if "max" in meta:
        tally.check(value <= meta["max"], where, f"{value} is above the model's max {meta['max']}")


def check_structure(tally, where, shape, obj, skip_keys=frozenset(), body_members_only=False):
    """Required members present, no member the shape lacks, each member's value; a union has exactly one member."""
    members = {
        _json_name(name, member): (name, member)
        for name, member in shape.members.items()
        if not (body_members_only and "location" in member.serialization)
    }
    for name in shape.required_members:
        member = shape.members[name]
        if body_members_only and "location" in member.serialization:
            continue
        tally.check(_json_name(name, member) in obj, where, f"required member '{name}' is missing ({shape.name})")
    for key, value in obj.items():
        if key in skip_keys:
            continue
        if not tally.check(key in members, where, f"member '{key}' is not in the shape {shape.name}"):
            continue
        name, member = members[key]
        check_value(tally, f"{where}.{name}", member, value)
    if shape.metadata.get("union"):
        tally.check(len(obj) == 1, where, f"union {shape.name} must have exactly one member, has {len(obj)}")


def check_success(tally, where, operation, status, headers, body, parsed):
    """A 2xx answer: its status, its raw JSON body and headers against the output shape, and botocore's parsed output."""
    expected_status = operation.http.get("responseCode", 200)
    tally.check(status == expected_status, where, f"HTTP {status}, the model says {expected_status}")
    output = operation.output_shape
    try:
        raw = json.loads(body) if body else {}
    except ValueError:
        tally.check(False, where, "response body is not JSON")
        return
    if output is None:
        tally.check(raw == {}, where, "the operation has no output, the body is not empty")
        return
    if not tally.check(isinstance(raw, dict), where, "response body is not a JSON object"):
        return
    for name, member in output.members.items():
        location = member.serialization.get("location")
        if location == "header":
            header = member.serialization.get("name", name)
            if name in output.required_members:
                tally.check(header.lower() in headers, where, f"required header member '{name}' ({header}) is missing")
    payload = output.serialization.get("payload")
    if payload:
        check_value(tally, f"{where}.{payload}", output.members[payload], raw)
    else:
        check_structure(tally, where, output, raw, body_members_only=True)
    # botocore's own parse of the same answer: only modelled members, the required ones present.
    parsed_keys = set(parsed) - {"ResponseMetadata"}
    tally.check(parsed_keys <= set(output.members), where, f"parsed output has members the shape lacks: {sorted(parsed_keys - set(output.members))}")
    for name in output.required_members:
        tally.check(name in parsed, where, f"parsed output lacks required member '{name}'")


def error_code(headers, raw):
    """The error type as restJson1 clients read it: x-amzn-errortype, else __type/code in the body."""
    code = headers.get("x-amzn-errortype") or (raw.get("__type") if isinstance(raw, dict) else None) or (raw.get("code") if isinstance(raw, dict) else None)
    if not code:
        return None
    return code.split(":")[0].split("#")[-1]


def check_error(tally, where, service_model, operation, status, headers, body, parsed, common_errors):
    """A 4xx/5xx answer: a modelled error of this operation (or a justified common one), at the model's status, with a message."""
    try:
        raw = json.loads(body) if body else {}
    except ValueError:
        raw = None
    tally.check(isinstance(raw, dict), where, "error body is not a JSON object")
    raw = raw if isinstance(raw, dict) else {}
    code = error_code(headers, raw)
    if not tally.check(code is not None, where, f"HTTP {status} without an error type"):
        return None
    modelled = {shape.name for shape in operation.error_shapes}
    tally.check(code in modelled or code in common_errors, where, f"{code} is not an error of {operation.name} (modelled: {sorted(modelled)})")
    try:
        shape = service_model.shape_for(code)
    except Exception:
        # A common error the model has no shape for (the frontend's ValidationException): the protocol's 400 and a message.
        tally.check(code in common_errors, where, f"{code} is not a shape of the {service_model.service_name} model")
        tally.check(status == 400, where, f"{code} sent as HTTP {status}, the protocol's client errors are 400")
        tally.check(isinstance(raw.get("message"), str) and raw.get("message") != "", where, f"{code} has no message")
        return code
    expected_status = shape.metadata.get("error", {}).get("httpStatusCode", 400)
    tally.check(status == expected_status, where, f"{code} sent as HTTP {status}, the model says {expected_status}")
    check_structure(tally, f"{where}<{code}>", shape, raw, skip_keys=ERROR_PROTOCOL_KEYS)
    message = raw.get("message", raw.get("Message"))
    tally.check(isinstance(message, str) and message != "", where, f"{code} has no message")
    parsed_error = parsed.get("Error", {})
    tally.check(parsed_error.get("Code") == code, where, f"botocore parsed the error as {parsed_error.get('Code')!r}, the wire says {code}")
    return code
