// What the JavaScript peers share: the pinned packages (installed outside the repository, in
// PEERS_NODE_DIR), one line per check, member checks that name the operation and member, and
// the emulator's control path (what StartChatContact and the agent's application are to the
// real service). No line ever prints a token or a URL: they are secrets.
import { createRequire } from "node:module";
import path from "node:path";

/** `require` from the cache directory's node_modules, where `run` installed the lock. */
export const requirePinned = createRequire(path.join(process.env.PEERS_NODE_DIR, "package.json"));

/** The emulator's base URL, from `run`. */
export const BASE = process.env.PEERS_EMULATOR_URL;

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** One check, one line: `ok <id> <detail>` or `FAIL <id> <detail>`; `run` reads them. */
export class Checks {
  constructor(peer) {
    this.peer = peer;
    this.failed = 0;
  }

  /** Reports a check; the id names the operation and member (`SendMessage.Id`). */
  ok(id, pass, detail) {
    if (!pass) this.failed += 1;
    const line = String(detail).replace(/\s+/g, " ");
    console.log(`${pass ? "ok" : "FAIL"} ${this.peer}:${id} ${line}`);
    return pass;
  }

  /**
   * Checks that `obj` has the member at `member` (a dotted path) of the kind given, and
   * reports it as `<op>.<member>`: string, time, url, ws-url, int, object, array, or a
   * function for an exact test.
   */
  member(op, obj, member, kind, detail = "") {
    const value = member.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
    const id = `${op}.${member}`;
    if (value === undefined || value === null) {
      return this.ok(id, false, `missing from the answer ${detail}`);
    }
    const [pass, what] = kindOf(value, kind);
    if (!pass && /token|url/i.test(member)) {
      // A token or a URL (whose path or query is a secret) is never printed, not even in part.
      return this.ok(id, false, `is not ${typeof kind === "function" ? detail : what}: ${typeof value}, ${String(value).length} characters`);
    }
    if (typeof kind === "function") return this.ok(id, pass, pass ? detail : `got ${describe(value)}; wanted ${detail}`);
    return this.ok(id, pass, pass ? `${what} ${detail}` : `is not ${what}: ${describe(value)} ${detail}`);
  }

  /** Checks one member of every item of a list: one line per member, naming the first bad item. */
  items(op, list, members) {
    for (const [member, kind] of Object.entries(members)) {
      const bad = list.findIndex((item) => {
        const value = item?.[member];
        return value === undefined || value === null || !kindOf(value, kind)[0];
      });
      const what = kindOf("", kind)[1];
      this.ok(`${op}[].${member}`, bad < 0, bad < 0 ? `${what} on all ${list.length} items` : `item ${bad}: ${describe(list[bad]?.[member])}, not ${what}`);
    }
  }

  /**
   * Runs `call`, which must fail with the service error `name` and HTTP `status`; `errorOf`
   * reads (name, status) from what the client threw.
   */
  async error(id, call, name, status, errorOf = sdkError) {
    try {
      await call();
      return this.ok(id, false, `succeeded; expected ${name} (${status})`);
    } catch (e) {
      const [gotName, gotStatus] = errorOf(e);
      return this.ok(
        id,
        gotName === name && gotStatus === status,
        `${gotName} (${gotStatus}); expected ${name} (${status})`,
      );
    }
  }

  /**
   * Runs `call`; if it throws, reports the check `id` (of which `call` is the first part)
   * as failed and answers `undefined`, so that a check is reported once whatever happens.
   */
  async attempt(id, call) {
    try {
      return await call();
    } catch (e) {
      this.ok(id, false, `threw ${errorText(e)}`);
      return undefined;
    }
  }

  /** Runs one step; an exception is a failed check that names the step, and the run goes on. */
  async step(id, body) {
    try {
      return await body();
    } catch (e) {
      this.ok(id, false, `threw ${errorText(e)}`);
      return undefined;
    }
  }
}

function kindOf(value, kind) {
  if (typeof kind === "function") return [kind(value) === true, "what the check wants"];
  switch (kind) {
    case "string":
      return [typeof value === "string" && value.length > 0, "a non-empty string"];
    case "time":
      return [typeof value === "string" && ISO_TIME.test(value), "an ISO 8601 UTC time"];
    case "url":
      return [typeof value === "string" && /^https?:\/\//.test(value), "an http(s) URL"];
    case "ws-url":
      return [typeof value === "string" && /^wss?:\/\//.test(value), "a ws(s) URL"];
    case "int":
      return [Number.isInteger(value), "an integer"];
    case "object":
      return [typeof value === "object" && !Array.isArray(value), "an object"];
    case "array":
      return [Array.isArray(value), "an array"];
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

/** A value's type and a short form, never long enough to carry a whole secret. */
function describe(value) {
  const text = JSON.stringify(value) ?? String(value);
  return `${Array.isArray(value) ? "array" : typeof value} ${text.length > 40 ? text.slice(0, 40) + "…" : text}`;
}

/** (name, HTTP status) of an AWS SDK for JavaScript v3 service error. */
export function sdkError(e) {
  return [e?.name, e?.$metadata?.httpStatusCode];
}

/** What an exception says, without a stack and cut short. */
export function errorText(e) {
  // chatjs rejects with {type, message, stack, statusCode}.
  const text = e instanceof Error ? `${e.name}: ${e.message}` : e?.type ? `${e.type} (${e.statusCode}): ${e.message}` : JSON.stringify(e);
  return String(text).slice(0, 200);
}

/** A POST to the control path with a JSON body: the JSON answer, or an Error naming the path. */
export async function control(pathname, body = {}) {
  const response = await fetch(BASE + pathname, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${pathname.replace(/chats\/[^/]+/, "chats/…")}: ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/** Starts a chat as StartChatContact would: `{ContactId, ParticipantId, ParticipantToken, …}`. */
export const startChat = (body = {}) => control("/emulator/chats", body);
/** The agent says `content` (text/plain): `{Id, AbsoluteTime}`. */
export const agentSays = (contactId, content) =>
  control(`/emulator/chats/${contactId}/messages`, { Content: content, ContentType: "text/plain" });
/** The agent sends an event: `{Id, AbsoluteTime}`. */
export const agentEvent = (contactId, contentType, content) =>
  control(`/emulator/chats/${contactId}/events`, content === undefined ? { ContentType: contentType } : { ContentType: contentType, Content: content });
/** The agent ends the chat. */
export const endChat = (contactId) => control(`/emulator/chats/${contactId}/end`);

/** The agent's view of the whole transcript, oldest first. */
export async function agentTranscript(contactId) {
  const response = await fetch(`${BASE}/emulator/chats/${contactId}/transcript`);
  if (!response.ok) throw new Error(`transcript: ${response.status}`);
  return (await response.json()).Transcript;
}

/** The read receipts (by recipient) that the agent's view shows on a message. */
export async function readersOf(contactId, messageId) {
  const item = (await agentTranscript(contactId)).find((i) => i.Id === messageId);
  return (item?.MessageMetadata?.Receipts ?? []).filter((r) => r.ReadTimestamp).map((r) => r.RecipientParticipantId);
}

export const READ = "application/vnd.amazonaws.connect.event.message.read";
export const DELIVERED = "application/vnd.amazonaws.connect.event.message.delivered";
export const TYPING = "application/vnd.amazonaws.connect.event.typing";

/** The headers a browser's preflight asks for before chatjs's upload PUT (lower case, sorted). */
export function preflightHeaders(headersToInclude) {
  // Content-Length is set by the browser itself and never listed in a preflight.
  return Object.keys(headersToInclude)
    .map((h) => h.toLowerCase())
    .filter((h) => h !== "content-length")
    .sort();
}

/**
 * The CORS checks a browser makes of a presigned upload URL (the preflight, then the PUT's own
 * answer) and of a download URL, as S3 answers them with a CORS rule.
 */
export async function corsChecks(checks, uploadUrl, headersToInclude, body) {
  const origin = "http://localhost:8080";
  const wanted = preflightHeaders(headersToInclude);
  await checks.step("upload.OPTIONS", async () => {
    const answer = await fetch(uploadUrl, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "PUT",
        "access-control-request-headers": wanted.join(","),
      },
    });
    checks.ok("upload.OPTIONS:status", answer.status >= 200 && answer.status < 300, `preflight answered ${answer.status}`);
    const allowOrigin = answer.headers.get("access-control-allow-origin");
    checks.ok("upload.OPTIONS:Access-Control-Allow-Origin", allowOrigin === "*" || allowOrigin === origin, `${allowOrigin}`);
    const methods = (answer.headers.get("access-control-allow-methods") ?? "").split(",").map((m) => m.trim().toUpperCase());
    checks.ok("upload.OPTIONS:Access-Control-Allow-Methods", methods.includes("PUT"), `[${methods}] has PUT`);
    const allowed = (answer.headers.get("access-control-allow-headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
    const missing = allowed.includes("*") ? [] : wanted.filter((h) => !allowed.includes(h));
    checks.ok("upload.OPTIONS:Access-Control-Allow-Headers", missing.length === 0, missing.length ? `lacks ${missing}` : `allows ${wanted}`);
  });
  await checks.step("upload.PUT", async () => {
    const answer = await fetch(uploadUrl, { method: "PUT", headers: { ...headersToInclude, origin }, body });
    checks.ok("upload.PUT:status", answer.status === 200, `${answer.status}`);
    const allowOrigin = answer.headers.get("access-control-allow-origin");
    checks.ok("upload.PUT:Access-Control-Allow-Origin", allowOrigin === "*" || allowOrigin === origin, `${allowOrigin}`);
  });
}
