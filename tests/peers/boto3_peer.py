"""boto3 plays whole chats against the standalone emulator: every operation, the answer's
members as boto3 parsed them, the errors, an attachment up and down; and every raw answer
(success or error) is checked against botocore's own model of the service: each member one
the model knows, of the model's JSON type and enum, each required member present.

One line per check (`ok <id> <detail>` or `FAIL <id> <detail>`), read by `run`. No line prints a
token or a URL.
"""

import json
import os
import re
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BASE = os.environ["PEERS_EMULATOR_URL"]
PEER = "boto3"
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
READ = "application/vnd.amazonaws.connect.event.message.read"
TYPING = "application/vnd.amazonaws.connect.event.typing"
SESSION = "00000000-0000-4000-8000-000000000000"

client = boto3.client(
    "connectparticipant",
    region_name="us-west-2",
    endpoint_url=BASE,
    aws_access_key_id="peers",
    aws_secret_access_key="peers",
    # No retries, and no client-side checks: the bad input must reach the emulator.
    config=Config(retries={"total_max_attempts": 1}, parameter_validation=False),
)


def report(check, passed, detail):
    """One check, one line."""
    print(f"{'ok' if passed else 'FAIL'} {PEER}:{check} {' '.join(str(detail).split())}", flush=True)
    return passed


def short(value):
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:40] + "…"


def member(op, answer, path, want, detail=""):
    """Checks answer[path] (dotted, list indices as numbers): 'string', 'time', 'url', an
    exact value, or a predicate; reported as `<op>.<path>`."""
    value = answer
    for key in path.split("."):
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            value = None
    check = f"{op}.{path}"
    if value is None:
        return report(check, False, f"missing from the answer {detail}")
    # A token or a URL (whose path or query is a secret) is never printed, not even in part.
    secret = re.search("token|url", path, re.I) is not None
    show = (lambda v: f"{type(v).__name__}, {len(str(v))} characters") if secret else short
    return member_value(check, value, want, detail, show)


def member_value(check, value, want, detail, show):
    """Reports one member's check; `show` prints a value that fails."""
    if want == "string":
        return report(check, isinstance(value, str) and value != "", f"a non-empty string {detail}")
    if want == "time":
        return report(check, isinstance(value, str) and bool(ISO_TIME.match(value)), f"an ISO 8601 UTC time {detail}")
    if want == "url":
        return report(check, isinstance(value, str) and value.startswith(("http://", "https://")), f"an http(s) URL {detail}")
    passed = want(value) if callable(want) else value == want
    return report(check, passed, detail if passed else f"got {show(value)}; wanted {detail or show(want)}")


def error(check, call, code, status):
    """`call` must fail with the service error `code` and HTTP `status`."""
    try:
        call()
    except ClientError as e:
        got = (e.response["Error"].get("Code"), e.response["ResponseMetadata"].get("HTTPStatusCode"))
        return report(check, got == (code, status), f"{got[0]} ({got[1]}); expected {code} ({status})")
    return report(check, False, f"succeeded; expected {code} ({status})")


# ---------------------------------------------------------------------------------------------
# Every raw answer against botocore's model.
# ---------------------------------------------------------------------------------------------
JSON_TYPES = {
    "string": str,
    "integer": int,
    "long": int,
    "boolean": bool,
    "structure": dict,
    "map": dict,
    "list": list,
}


def shape_problems(shape, value, where):
    """What in `value` does not fit `shape`: unknown members, wrong JSON types, values outside
    an enum, required members missing."""
    if value is None:
        return [f"{where} is null"]
    kind = shape.type_name
    want = JSON_TYPES.get(kind)
    if want is None:
        return [f"{where}: the model's type {kind} is not checked here"]
    if not isinstance(value, want) or (want is int and isinstance(value, bool)):
        return [f"{where} is {type(value).__name__}, the model says {kind}"]
    if kind == "string" and shape.enum and value not in shape.enum:
        return [f"{where} is {short(value)}, not one of the model's {shape.enum}"]
    problems = []
    if kind == "structure":
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"{where}.{name} is not in the model")
            else:
                problems += shape_problems(shape.members[name], item, f"{where}.{name}")
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{where}.{name} is required by the model and missing")
    elif kind == "list":
        for n, item in enumerate(value):
            problems += shape_problems(shape.member, item, f"{where}[{n}]")
    elif kind == "map":
        for key, item in value.items():
            problems += shape_problems(shape.key, key, f"{where} key")
            problems += shape_problems(shape.value, item, f"{where}[{key!r}]")
    return problems


def error_shape(model, code):
    for shape in model.error_shapes:
        if shape.name == code or shape.metadata.get("error", {}).get("code") == code:
            return shape
    return None


def check_raw(http_response, model, **_):
    """botocore's after-call hook: the raw answer's body against the model's output shape, or
    against the error's shape (its `message` in either case, as restJson1 clients read it)."""
    op = model.name
    body = http_response.content or b""
    status = http_response.status_code
    if status < 300 and model.output_shape is None:
        return
    try:
        value = json.loads(body) if body else {}
    except ValueError:
        report(f"{op}:raw-answer", False, f"{status}: the body is not JSON")
        return
    if status < 300:
        shape, what = model.output_shape, f"{op}"
    else:
        code = (http_response.headers.get("x-amzn-ErrorType") or "").split(":")[0]
        shape = error_shape(model, code)
        what = f"{op}:{code or 'error'}"
        if shape is None:
            report(f"{what}:raw-answer", False, f"{status} {code or 'without x-amzn-ErrorType'}: not an error the model gives {op}")
            return
        if isinstance(value, dict) and "message" in value and "Message" in shape.members:
            value = {("Message" if k == "message" else k): v for k, v in value.items()}
    problems = shape_problems(shape, value, what)
    RAW_CHECKS.setdefault(what, []).extend(problems)


RAW_CHECKS = {}
client.meta.events.register("after-call.connectparticipant", check_raw)


def report_raw():
    """One line per operation (and error) the peer saw: its raw answers fit the model."""
    for what, problems in sorted(RAW_CHECKS.items()):
        report(f"{what}:model", not problems, "; ".join(sorted(set(problems))[:3]) or "every raw answer fits botocore's model")


# ---------------------------------------------------------------------------------------------
# The emulator's control path.
# ---------------------------------------------------------------------------------------------
def control(path, body=None, method="POST"):
    data = None if method == "GET" else json.dumps(body or {}).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def start_chat(body=None):
    return control("/emulator/chats", body)


def agent_says(contact_id, content):
    return control(f"/emulator/chats/{contact_id}/messages", {"Content": content, "ContentType": "text/plain"})


def end_chat(contact_id):
    return control(f"/emulator/chats/{contact_id}/end")


def readers_of(contact_id, message_id):
    items = control(f"/emulator/chats/{contact_id}/transcript", method="GET")["Transcript"]
    item = next((i for i in items if i["Id"] == message_id), {})
    receipts = item.get("MessageMetadata", {}).get("Receipts", [])
    return [r.get("RecipientParticipantId") for r in receipts if r.get("ReadTimestamp")]


def connect(chat):
    out = client.create_participant_connection(
        ParticipantToken=chat["ParticipantToken"], Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"], ConnectParticipant=True
    )
    return out, out.get("ConnectionCredentials", {}).get("ConnectionToken")


# ---------------------------------------------------------------------------------------------
# The chats.
# ---------------------------------------------------------------------------------------------
def whole_chat():
    chat = start_chat()
    for m in ("ContactId", "ParticipantId", "ParticipantToken"):
        member("StartChat", chat, m, "string")
    conn, token = connect(chat)
    member("CreateParticipantConnection", conn, "Websocket.Url", lambda v: v.startswith(("ws://", "wss://")), "a ws(s) URL")
    member("CreateParticipantConnection", conn, "Websocket.ConnectionExpiry", "time")
    member("CreateParticipantConnection", conn, "ConnectionCredentials.ConnectionToken", "string")
    member("CreateParticipantConnection", conn, "ConnectionCredentials.Expiry", "time")

    hello = dict(ConnectionToken=token, Content="hello from boto3", ContentType="text/plain", ClientToken="boto3-hello")
    sent = client.send_message(**hello)
    member("SendMessage", sent, "Id", "string")
    member("SendMessage", sent, "AbsoluteTime", "time")
    member("SendMessage(retry)", client.send_message(**hello), "Id", sent["Id"], "a retry with the same ClientToken and body answers the first Id")
    typing = client.send_event(ConnectionToken=token, ContentType=TYPING)
    member("SendEvent(typing)", typing, "Id", "string")
    member("SendEvent(typing)", typing, "AbsoluteTime", "time")

    first = agent_says(chat["ContactId"], "agent one")
    second = agent_says(chat["ContactId"], "agent two")

    def receipt(m):
        content = json.dumps({"messageId": m["Id"]})
        return client.send_event(ConnectionToken=token, ContentType=READ, Content=content, ClientToken="INCOMING_READ_RECEIPT")

    r1 = receipt(first)
    member("SendEvent(read-1)", r1, "Id", "string")
    r2 = receipt(second)
    member("SendEvent(read-2)", r2, "Id", lambda v: v != r1["Id"], "an Id of its own, not the 1st receipt's")
    report("SendEvent(read-1):recorded", chat["ParticipantId"] in readers_of(chat["ContactId"], first["Id"]), "the 1st message shows the customer's read receipt")
    report("SendEvent(read-2):recorded", chat["ParticipantId"] in readers_of(chat["ContactId"], second["Id"]), "the 2nd message shows the customer's read receipt")

    attachment_id = step("attachment", lambda: attachment(token))
    step("GetTranscript", lambda: transcript(token, chat, sent, first, attachment_id))
    step("errors", lambda: errors(token))

    left = client.disconnect_participant(ConnectionToken=token)
    member("DisconnectParticipant", left, "ResponseMetadata.HTTPStatusCode", 200, "200")
    error("SendMessage:after-leaving", lambda: client.send_message(ConnectionToken=token, Content="x", ContentType="text/plain"), "AccessDeniedException", 403)
    error("CreateParticipantConnection:after-leaving", lambda: connect(chat), "AccessDeniedException", 403)


def attachment(token):
    data = b"boto3 attachment bytes\n"
    started = client.start_attachment_upload(
        ConnectionToken=token, ContentType="text/plain", AttachmentSizeInBytes=len(data), AttachmentName="notes.txt", ClientToken="boto3-upload"
    )
    member("StartAttachmentUpload", started, "AttachmentId", "string")
    member("StartAttachmentUpload", started, "UploadMetadata.Url", "url")
    member("StartAttachmentUpload", started, "UploadMetadata.UrlExpiry", "time")
    headers = started.get("UploadMetadata", {}).get("HeadersToInclude", {})
    member("StartAttachmentUpload", started, "UploadMetadata.HeadersToInclude", lambda v: all(isinstance(x, str) for x in v.values()), "a map of strings")
    put = urllib.request.Request(started["UploadMetadata"]["Url"], data=data, method="PUT", headers=headers)
    with urllib.request.urlopen(put, timeout=30) as answer:
        report("upload.PUT:status", answer.status == 200, f"{answer.status}")
    done = client.complete_attachment_upload(ConnectionToken=token, AttachmentIds=[started["AttachmentId"]], ClientToken="boto3-complete")
    member("CompleteAttachmentUpload", done, "ResponseMetadata.HTTPStatusCode", 200, "200")
    got = client.get_attachment(ConnectionToken=token, AttachmentId=started["AttachmentId"])
    member("GetAttachment", got, "Url", "url")
    member("GetAttachment", got, "UrlExpiry", "time")
    member("GetAttachment", got, "AttachmentSizeInBytes", len(data), f"{len(data)}")
    with urllib.request.urlopen(got["Url"], timeout=30) as answer:
        body = answer.read()
    report("download.GET:body", body == data, f"{len(body)} bytes, the bytes uploaded")
    return started["AttachmentId"]


def transcript(token, chat, sent, first, attachment_id):
    out = client.get_transcript(ConnectionToken=token, MaxResults=100, SortOrder="ASCENDING")
    member("GetTranscript", out, "InitialContactId", chat["ContactId"], "the chat's ContactId")
    items = out.get("Transcript", [])
    mine = next((i for i in items if i.get("Id") == sent["Id"]), {})
    member("GetTranscript.Transcript(message)", mine, "Content", "hello from boto3", "the message sent")
    member("GetTranscript.Transcript(message)", mine, "ParticipantRole", "CUSTOMER", "CUSTOMER")
    member("GetTranscript.Transcript(message)", mine, "ParticipantId", chat["ParticipantId"], "the customer's")
    read = next((i for i in items if i.get("Id") == first["Id"]), {})
    member("GetTranscript.Transcript(read)", read, "MessageMetadata.MessageId", first["Id"], "its own Id")
    member("GetTranscript.Transcript(read)", read, "MessageMetadata.Receipts.0.ReadTimestamp", "time")
    member("GetTranscript.Transcript(read)", read, "MessageMetadata.Receipts.0.RecipientParticipantId", chat["ParticipantId"], "the customer's")
    file = next((i for i in items if i.get("Type") == "ATTACHMENT"), {})
    member("GetTranscript.Transcript(attachment)", file, "Attachments.0.AttachmentId", attachment_id, "the one uploaded")
    member("GetTranscript.Transcript(attachment)", file, "Attachments.0.AttachmentName", "notes.txt", "notes.txt")

    paged, token_in = [], None
    for page in range(100):
        kwargs = {"NextToken": token_in} if token_in else {}
        out = client.get_transcript(ConnectionToken=token, MaxResults=2, SortOrder="ASCENDING", **kwargs)
        paged += [i["Id"] for i in out.get("Transcript", [])]
        if page == 0:
            member("GetTranscript(page)", out, "NextToken", "string")
        token_in = out.get("NextToken")
        if not token_in:
            break
    ids = [i.get("Id") for i in items]
    # Each page is sorted on its own, and the scan goes back from the newest: the same items,
    # each once, not one ascending list.
    report("GetTranscript(paged).Transcript", sorted(paged) == sorted(ids) and len(set(paged)) == len(ids), f"{len(paged)} items over pages of 2, {len(ids)} in one, each once")
    out = client.get_transcript(ConnectionToken=token, StartPosition={"Id": sent["Id"]}, ScanDirection="FORWARD", SortOrder="ASCENDING")
    member("GetTranscript(StartPosition)", out, "Transcript.0.Id", sent["Id"], "starts at the item asked for")


def errors(token):
    t = token
    error("SendMessage:empty-Content", lambda: client.send_message(ConnectionToken=t, Content="", ContentType="text/plain"), "ValidationException", 400)
    error("SendMessage:too-long-Content", lambda: client.send_message(ConnectionToken=t, Content="x" * 16385, ContentType="text/plain"), "ValidationException", 400)
    error("SendEvent:bad-ContentType", lambda: client.send_event(ConnectionToken=t, ContentType="text/plain"), "ValidationException", 400)
    error("StartAttachmentUpload:zero-size", lambda: client.start_attachment_upload(ConnectionToken=t, ContentType="text/plain", AttachmentSizeInBytes=0, AttachmentName="x", ClientToken="z"), "ValidationException", 400)
    error("GetAttachment:unknown", lambda: client.get_attachment(ConnectionToken=t, AttachmentId="no-such-attachment"), "ValidationException", 400)
    error("GetTranscript:bad-NextToken", lambda: client.get_transcript(ConnectionToken=t, NextToken="not-a-token"), "ValidationException", 400)
    error("GetAuthenticationUrl:unknown-session", lambda: client.get_authentication_url(ConnectionToken=t, SessionId=SESSION, RedirectUri="https://example.com/back"), "ValidationException", 400)
    error("CancelParticipantAuthentication:unknown-session", lambda: client.cancel_participant_authentication(ConnectionToken=t, SessionId=SESSION), "ValidationException", 400)
    try:
        client.describe_view(ConnectionToken=t, ViewToken="no-such-view")
        report("DescribeView:unknown", False, "succeeded; expected ResourceNotFoundException (404)")
    except client.exceptions.ResourceNotFoundException as e:
        report("DescribeView:unknown", e.response["ResponseMetadata"]["HTTPStatusCode"] == 404, "ResourceNotFoundException (404), as its modeled exception class")
        member("DescribeView:unknown", e.response, "ResourceId", "no-such-view", "the view token")
        member("DescribeView:unknown", e.response, "ResourceType", "string")
    error("SendMessage:bad-token", lambda: client.send_message(ConnectionToken="not-a-token", Content="x", ContentType="text/plain"), "AccessDeniedException", 403)


def ended_chat():
    chat = start_chat()
    _, token = connect(chat)
    end_chat(chat["ContactId"])
    error("SendMessage:after-the-end", lambda: client.send_message(ConnectionToken=token, Content="late", ContentType="text/plain"), "AccessDeniedException", 403)
    error("SendEvent:after-the-end", lambda: client.send_event(ConnectionToken=token, ContentType=TYPING), "AccessDeniedException", 403)


def persistent_chat():
    past = start_chat()
    _, past_token = connect(past)
    said = client.send_message(ConnectionToken=past_token, Content="before the break", ContentType="text/plain")
    end_chat(past["ContactId"])
    chat = start_chat({"PersistentChat": {"SourceContactId": past["ContactId"], "RehydrationType": "ENTIRE_PAST_SESSION"}})
    member("StartChat(persistent)", chat, "ContinuedFromContactId", past["ContactId"], "the past chat's ContactId")
    _, token = connect(chat)
    check = "GetTranscript(past-contact).Transcript(message)"
    try:
        out = client.get_transcript(ConnectionToken=token, ContactId=past["ContactId"], SortOrder="ASCENDING")
    except ClientError as e:
        report(f"{check}.RelatedContactId", False, f"threw {e.response['Error'].get('Code')}")
        return
    # The model: a past item has RelatedContactId (the contact it was sent in), not ContactId.
    item = next((i for i in out.get("Transcript", []) if i.get("Id") == said["Id"]), {})
    member(check, item, "RelatedContactId", past["ContactId"], "the past message, with the past chat's ContactId")


VIEW = {
    "Arn": "arn:aws:connect:us-west-2:111122223333:instance/peers/view/form:1",
    "Content": {"Actions": ["Submit", "Cancel"], "InputSchema": '{"type":"object"}', "Template": '{"Head":{"Title":"Form"}}'},
    "Id": "form",
    "Name": "Form",
    "Version": 1,
}


def views_and_authentication():
    """DescribeView, GetAuthenticationUrl and CancelParticipantAuthentication answered with
    success: a view registered and an authentication session started on the control path."""
    chat = start_chat()
    _, token = connect(chat)
    control("/emulator/views", {"ViewToken": "peers-view", "View": VIEW})
    out = client.describe_view(ConnectionToken=token, ViewToken="peers-view")
    for path, want in [("Id", VIEW["Id"]), ("Arn", VIEW["Arn"]), ("Name", VIEW["Name"]), ("Version", 1)]:
        member("DescribeView", out, f"View.{path}", want, "the view registered")
    for path in ["Actions", "InputSchema", "Template"]:
        member("DescribeView", out, f"View.Content.{path}", VIEW["Content"][path], "the view registered")
    session = control(f"/emulator/chats/{chat['ContactId']}/authentication")["SessionId"]
    out = client.get_authentication_url(ConnectionToken=token, SessionId=session, RedirectUri="https://example.com/back")
    member("GetAuthenticationUrl", out, "AuthenticationUrl", "url")
    out = client.cancel_participant_authentication(ConnectionToken=token, SessionId=session)
    member("CancelParticipantAuthentication", out, "ResponseMetadata.HTTPStatusCode", 200, "HTTP 200")


def step(name, body):
    """One step; an exception is a failed check naming it, and the run goes on."""
    try:
        return body()
    except Exception as e:  # noqa: BLE001 - every failure is reported, none ends the run
        report(name, False, f"threw {type(e).__name__}: {str(e)[:160]}")
        return None


step("whole-chat", whole_chat)
step("ended-chat", ended_chat)
step("persistent-chat", persistent_chat)
step("views-and-authentication", views_and_authentication)
report_raw()
sys.exit(0)
