"""The AWS CLI beside this CLI: for every operation, `aws connectparticipant <command> ...
--no-sign-request --endpoint-url URL --region us-east-1 --output json` and
`connect-participant --endpoint-url URL <command> ... --output json` against the same chat of
the standalone emulator print the same document: the same members in the same order, each
value equal but for the members that differ by nature (tokens, presigned URLs and their
expiry), written as Python's `json.dump(indent=4, ensure_ascii=False)` writes it (awscli's
formatter.py), and nothing at all for an empty answer. `get-transcript --no-paginate` is
compared page by page over 3 pages, and this CLI's default `get-transcript` with the pages'
items joined.

One line per check (`ok awscli:<Operation> ...` or `FAIL ...`), read by `run`. No line prints a
token or a URL: the members that hold one are replaced before anything is shown.
"""

import json
import math
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

BASE = os.environ["PEERS_EMULATOR_URL"]
AWS = os.environ["PEERS_AWS"]
CLI = os.environ["PEERS_CLI_BIN"]
PEER = "awscli"
TYPING = "application/vnd.amazonaws.connect.event.typing"
READ = "application/vnd.amazonaws.connect.event.message.read"
# Members whose values differ between two calls by nature: new secrets, new presigned URLs,
# and when they expire. Their presence and place are still compared.
DIFFERS = {
    "CreateParticipantConnection": {"Url", "ConnectionExpiry", "ConnectionToken", "Expiry"},
    "GetAttachment": {"Url", "UrlExpiry"},
    "StartAttachmentUpload": {"Url", "UrlExpiry"},
}
REPLACED = "<differs by nature>"


def report(check, passed, detail):
    print(f"{'ok' if passed else 'FAIL'} {PEER}:{check} {' '.join(str(detail).split())}", flush=True)
    return passed


def run(argv, env=None):
    """(exit status, standard output, standard error), standard input empty."""
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


def aws(command, *args):
    base = os.environ.copy()
    base.update(PYTHONUTF8="1", PYTHONIOENCODING="utf-8", AWS_PAGER="")
    return run([AWS, "connectparticipant", command, *args, "--no-sign-request", "--endpoint-url", BASE, "--region", "us-east-1", "--output", "json"], base)


def ours(command, *args, participant=None, connection=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CONNECT_"))}
    if participant:
        env["CONNECT_PARTICIPANT_TOKEN"] = participant
    if connection:
        env["CONNECT_CONNECTION_TOKEN"] = connection
    return run([CLI, "--endpoint-url", BASE, command, *args, "--output", "json"], env)


def control(path, body=None, method="POST"):
    data = None if method == "GET" else json.dumps(body or {}).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def has_control(path, body=None):
    """The control path's answer, or None when the emulator has no such path (404)."""
    try:
        return control(path, body)
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def masked(value, names):
    """The document with the values of `names` (at any depth) replaced."""
    if isinstance(value, dict):
        return {k: (REPLACED if k in names else masked(v, names)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, names) for v in value]
    return value


def first_difference(a, b, path=""):
    """Where two documents first differ (member order included), as a path."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path or '.'} members {list(a)} vs {list(b)}"
        for k in a:
            where = first_difference(a[k], b[k], f"{path}.{k}")
            if where:
                return where
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} has {len(a)} elements vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            where = first_difference(x, y, f"{path}[{i}]")
            if where:
                return where
        return None
    return None if a == b and type(a) is type(b) else f"{path}: {json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"


def document(check, who, answer):
    """The document a run printed, or None (reported) when it failed or is not the AWS CLI's
    form. "" for an empty answer."""
    status, out, err = answer
    if status != 0:
        report(check, False, f"{who} exited {status}: {err.strip().splitlines()[-1][:200] if err.strip() else ''}")
        return None
    if out == "":
        return ""
    try:
        parsed = json.loads(out)
    except ValueError as e:
        report(check, False, f"{who} printed no JSON document ({e})")
        return None
    if out != json.dumps(parsed, indent=4, ensure_ascii=False) + "\n":
        report(check, False, f"{who}'s JSON is not written as json.dump(indent=4, ensure_ascii=False) writes it")
        return None
    return parsed


def same(check, theirs, mine, differs=()):
    """Compares the AWS CLI's run with this CLI's; returns this CLI's document."""
    a, b = document(check, "aws", theirs), document(check, "connect-participant", mine)
    if a is None or b is None:
        return b
    if a == "" or b == "":
        report(check, a == b, "both print nothing (an empty answer)" if a == b else f"only one printed nothing (aws: {a == ''})")
        return b
    where = first_difference(masked(a, set(differs)), masked(b, set(differs)))
    shown = f" but {', '.join(sorted(differs))}" if differs else ""
    report(check, where is None, f"the same document{shown}" if where is None else f"differ at {where}")
    return b


def has_command(command):
    """Whether this CLI's help lists the command (an unknown command's --help prints the
    general help, exit status 0)."""
    return re.search(rf"^  {re.escape(command)}\b", run([CLI, "--help"])[1], re.M) is not None


# ---------------------------------------------------------------------------------------------
# The chat.
# ---------------------------------------------------------------------------------------------
def main():
    chat = control("/emulator/chats")
    contact = chat["ContactId"]
    kinds = ["--type", "WEBSOCKET", "CONNECTION_CREDENTIALS"]
    theirs = aws("create-participant-connection", "--participant-token", chat["ParticipantToken"], *kinds, "--connect-participant")
    mine = ours("create-participant-connection", *kinds, "--connect-participant", participant=chat["ParticipantToken"])
    conn = same("CreateParticipantConnection", theirs, mine, DIFFERS["CreateParticipantConnection"])
    token = (conn or {}).get("ConnectionCredentials", {}).get("ConnectionToken")
    if not token:
        return report("chat", False, "no connection token: the other operations were not run")
    t = ["--connection-token", token]

    message = ["--content", "héllo ✓ \"quoted\" \\ tab\tend", "--content-type", "text/plain", "--client-token", "awscli-hello"]
    sent = same("SendMessage", aws("send-message", *t, *message), ours("send-message", *message, connection=token))
    typing = ["--content-type", TYPING, "--client-token", "awscli-typing"]
    same("SendEvent(typing)", aws("send-event", *t, *typing), ours("send-event", *typing, connection=token))
    said = [control(f"/emulator/chats/{contact}/messages", {"Content": f"agent {i}", "ContentType": "text/plain"}) for i in range(4)]
    read = ["--content-type", READ, "--content", json.dumps({"messageId": said[0]["Id"]}), "--client-token", "awscli-read"]
    same("SendEvent(read)", aws("send-event", *t, *read), ours("send-event", *read, connection=token))
    if sent:
        markdown = ["--content", "**bold**", "--content-type", "text/markdown", "--client-token", "awscli-markdown"]
        same("SendMessage(markdown)", aws("send-message", *t, *markdown), ours("send-message", *markdown, connection=token))

    attachment(token, t)
    transcript(token, t)
    views(token, t)
    authentication(contact, token, t)
    disconnect()


def attachment(token, t):
    data = b"awscli attachment bytes\n"
    start = ["--content-type", "text/plain", "--attachment-size-in-bytes", str(len(data)), "--attachment-name", "notes.txt", "--client-token", "awscli-upload"]
    theirs = aws("start-attachment-upload", *t, *start)
    if has_command("start-attachment-upload"):
        same("StartAttachmentUpload", theirs, ours("start-attachment-upload", *start, connection=token), DIFFERS["StartAttachmentUpload"])
    else:
        report("StartAttachmentUpload", False, "this CLI has no start-attachment-upload command")
    started = document("StartAttachmentUpload", "aws", theirs)
    if not started:
        return
    upload = started["UploadMetadata"]
    put = urllib.request.Request(upload["Url"], data=data, method="PUT", headers=upload.get("HeadersToInclude", {}))
    with urllib.request.urlopen(put, timeout=30):
        pass
    complete = ["--attachment-ids", started["AttachmentId"], "--client-token", "awscli-complete"]
    theirs = aws("complete-attachment-upload", *t, *complete)
    if has_command("complete-attachment-upload"):
        same("CompleteAttachmentUpload", theirs, ours("complete-attachment-upload", *complete, connection=token))
    else:
        report("CompleteAttachmentUpload", False, "this CLI has no complete-attachment-upload command")
    get = ["--attachment-id", started["AttachmentId"]]
    same("GetAttachment", aws("get-attachment", *t, *get), ours("get-attachment", *get, connection=token), DIFFERS["GetAttachment"])


def transcript(token, t):
    """Three pages compared one by one, then this CLI's whole transcript with their items."""
    ascending = ["--sort-order", "ASCENDING"]
    whole = document("GetTranscript", "aws", aws("get-transcript", *t, *ascending, "--max-results", "100"))
    if not whole:
        return
    n = len(whole["Transcript"])
    size = math.ceil(n / 3)
    if n < 7:
        return report("GetTranscript(pages)", False, f"{n} items, too few for 3 pages")
    pages, next_token = [], None
    for page in range(1, 10):
        args = [*ascending, "--max-results", str(size), "--no-paginate"] + (["--next-token", next_token] if next_token else [])
        got = same(f"GetTranscript(page {page})", aws("get-transcript", *t, *args), ours("get-transcript", *args, connection=token))
        if not got:
            return
        pages.append(got)
        next_token = got.get("NextToken")
        if not next_token:
            break
    report("GetTranscript(pages)", len(pages) == 3, f"{len(pages)} pages of at most {size} items for {n} items")
    joined = {"InitialContactId": pages[0]["InitialContactId"], "Transcript": [i for p in pages for i in p["Transcript"]]}
    mine = ours("get-transcript", *ascending, "--max-results", str(size), connection=token)
    got = document("GetTranscript(joined)", "connect-participant", mine)
    if got is not None:
        where = first_difference(joined, got)
        report("GetTranscript(joined)", where is None, "the default get-transcript is the pages' items joined, no NextToken" if where is None else f"differ at {where}")


def views(token, t):
    view = {"Id": "view-1", "Arn": "arn:aws:connect:us-east-1:123456789012:instance/i/view/view-1:1", "Name": "Form ✓", "Version": 1,
            "Content": {"InputSchema": "{\"type\":\"object\"}", "Template": "{\"Head\":{}}", "Actions": ["Submit", "Cancel"]}}
    if has_control("/emulator/views", {"ViewToken": "awscli-view", "View": view}) is None:
        return report("DescribeView", False, "the emulator has no control path for views (POST /emulator/views)")
    args = ["--view-token", "awscli-view"]
    same("DescribeView", aws("describe-view", *t, *args), ours("describe-view", *args, connection=token))


def authentication(contact, token, t):
    session = has_control(f"/emulator/chats/{contact}/authentication")
    if session is None:
        report("GetAuthenticationUrl", False, "the emulator has no control path for authentication sessions")
        return report("CancelParticipantAuthentication", False, "the emulator has no control path for authentication sessions")
    # Not an http(s):// URI: the AWS CLI 1.x reads such a parameter's value from the URL
    # (cli_follow_urlparam), and would fetch it.
    args = ["--session-id", session["SessionId"], "--redirect-uri", "myapp://back?x=1&y=ü"]
    same("GetAuthenticationUrl", aws("get-authentication-url", *t, *args), ours("get-authentication-url", *args, connection=token))
    cancel = ["--session-id", session["SessionId"]]
    same("CancelParticipantAuthentication", aws("cancel-participant-authentication", *t, *cancel), ours("cancel-participant-authentication", *cancel, connection=token))


def disconnect():
    """Each CLI leaves a chat of its own, connected the same way: both answers are empty."""
    tokens = []
    for _ in range(2):
        chat = control("/emulator/chats")
        out = ours("create-participant-connection", "--type", "CONNECTION_CREDENTIALS", participant=chat["ParticipantToken"])
        tokens.append(json.loads(out[1])["ConnectionCredentials"]["ConnectionToken"] if out[0] == 0 else "")
    theirs = aws("disconnect-participant", "--connection-token", tokens[0], "--client-token", "awscli-leave")
    mine = ours("disconnect-participant", "--client-token", "awscli-leave", connection=tokens[1])
    same("DisconnectParticipant", theirs, mine)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - any failure is one FAIL line, not a traceback
        report("run", False, f"stopped: {type(e).__name__}: {e}")
        sys.exit(1)
