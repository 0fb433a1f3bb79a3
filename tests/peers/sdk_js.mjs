// The official AWS SDK for JavaScript v3 client (@aws-sdk/client-connectparticipant) plays
// whole chats against the standalone emulator: every operation, its answer's members as the
// SDK parsed them, the errors, an attachment up and down, and a browser's CORS view of the
// presigned URLs.
import {
  BASE, Checks, READ, TYPING, agentSays, control, corsChecks, endChat, readersOf, requirePinned, startChat,
} from "./common.mjs";

const sdk = requirePinned("@aws-sdk/client-connectparticipant");
const checks = new Checks("sdk-js");
const client = new sdk.ConnectParticipantClient({
  region: "us-west-2",
  endpoint: BASE,
  credentials: { accessKeyId: "peers", secretAccessKey: "peers" },
  maxAttempts: 1,
});
const send = (name, input) => client.send(new sdk[`${name}Command`](input));

async function connect(chat) {
  const out = await send("CreateParticipantConnection", {
    ParticipantToken: chat.ParticipantToken,
    Type: ["WEBSOCKET", "CONNECTION_CREDENTIALS"],
    ConnectParticipant: true,
  });
  return [out, out.ConnectionCredentials?.ConnectionToken];
}

/** The whole chat: connect, talk, receipts, an attachment, the transcript, errors, leave. */
async function wholeChat() {
  const chat = await startChat();
  for (const m of ["ContactId", "ParticipantId", "ParticipantToken"]) checks.member("StartChat", chat, m, "string");
  const [conn, token] = await connect(chat);
  checks.member("CreateParticipantConnection", conn, "Websocket.Url", "ws-url");
  checks.member("CreateParticipantConnection", conn, "Websocket.ConnectionExpiry", "time");
  checks.member("CreateParticipantConnection", conn, "ConnectionCredentials.ConnectionToken", "string");
  checks.member("CreateParticipantConnection", conn, "ConnectionCredentials.Expiry", "time");

  const hello = { ConnectionToken: token, Content: "hello from sdk-js", ContentType: "text/plain", ClientToken: "sdk-js-hello" };
  const sent = await send("SendMessage", hello);
  checks.member("SendMessage", sent, "Id", "string");
  checks.member("SendMessage", sent, "AbsoluteTime", "time");
  const retried = await send("SendMessage", hello);
  checks.member("SendMessage(retry)", retried, "Id", (v) => v === sent.Id, "a retry with the same ClientToken and body answers the first Id");

  const typing = await send("SendEvent", { ConnectionToken: token, ContentType: TYPING });
  checks.member("SendEvent(typing)", typing, "Id", "string");
  checks.member("SendEvent(typing)", typing, "AbsoluteTime", "time");

  // Read receipts for two messages, each with the ClientToken chatjs gives every receipt.
  const first = await agentSays(chat.ContactId, "agent one");
  const second = await agentSays(chat.ContactId, "agent two");
  const receipt = (m) => send("SendEvent", { ConnectionToken: token, ContentType: READ, Content: JSON.stringify({ messageId: m.Id }), ClientToken: "INCOMING_READ_RECEIPT" });
  const r1 = await receipt(first);
  checks.member("SendEvent(read-1)", r1, "Id", "string");
  const r2 = await receipt(second);
  checks.member("SendEvent(read-2)", r2, "Id", (v) => typeof v === "string" && v !== r1.Id, "an Id of its own, not the 1st receipt's");
  checks.ok("SendEvent(read-1):recorded", (await readersOf(chat.ContactId, first.Id)).includes(chat.ParticipantId), "the 1st message shows the customer's read receipt");
  checks.ok("SendEvent(read-2):recorded", (await readersOf(chat.ContactId, second.Id)).includes(chat.ParticipantId), "the 2nd message shows the customer's read receipt");

  const attachmentId = await checks.step("attachment", () => attachment(token));
  await checks.step("GetTranscript", () => transcript(token, chat, sent, first, attachmentId));
  await checks.step("errors", () => errors(token));

  const left = await send("DisconnectParticipant", { ConnectionToken: token });
  checks.member("DisconnectParticipant", left, "$metadata.httpStatusCode", (v) => v === 200, "200");
  await checks.error("SendMessage:after-leaving", () => send("SendMessage", { ...hello, ClientToken: undefined }), "AccessDeniedException", 403);
  await checks.error("CreateParticipantConnection:after-leaving", () => connect(chat), "AccessDeniedException", 403);
}

/** An attachment up (the browser's CORS view too) and down, bytes compared. */
async function attachment(token) {
  const bytes = Buffer.from("sdk-js attachment bytes\n");
  const started = await send("StartAttachmentUpload", {
    ConnectionToken: token, ContentType: "text/plain", AttachmentSizeInBytes: bytes.length, AttachmentName: "notes.txt", ClientToken: "sdk-js-upload",
  });
  checks.member("StartAttachmentUpload", started, "AttachmentId", "string");
  checks.member("StartAttachmentUpload", started, "UploadMetadata.Url", "url");
  checks.member("StartAttachmentUpload", started, "UploadMetadata.UrlExpiry", "time");
  checks.member("StartAttachmentUpload", started, "UploadMetadata.HeadersToInclude", (v) => typeof v === "object" && Object.values(v).every((x) => typeof x === "string"), "a map of strings");
  await corsChecks(checks, started.UploadMetadata.Url, started.UploadMetadata.HeadersToInclude, bytes);
  const done = await send("CompleteAttachmentUpload", { ConnectionToken: token, AttachmentIds: [started.AttachmentId], ClientToken: "sdk-js-complete" });
  checks.member("CompleteAttachmentUpload", done, "$metadata.httpStatusCode", (v) => v === 200, "200");
  const got = await send("GetAttachment", { ConnectionToken: token, AttachmentId: started.AttachmentId });
  checks.member("GetAttachment", got, "Url", "url");
  checks.member("GetAttachment", got, "UrlExpiry", "time");
  checks.member("GetAttachment", got, "AttachmentSizeInBytes", (v) => v === bytes.length, `${bytes.length}`);
  const download = await fetch(got.Url, { headers: { origin: "http://localhost:8080" } });
  const body = Buffer.from(await download.arrayBuffer());
  checks.ok("download.GET:body", download.status === 200 && body.equals(bytes), `${download.status}, ${body.length} bytes, the bytes uploaded`);
  const allowOrigin = download.headers.get("access-control-allow-origin");
  checks.ok("download.GET:Access-Control-Allow-Origin", allowOrigin === "*" || allowOrigin === "http://localhost:8080", `${allowOrigin}`);
  return started.AttachmentId;
}

/** GetTranscript: every item's members, the receipt and attachment on theirs, paging, a start. */
async function transcript(token, chat, sent, first, attachmentId) {
  const all = await send("GetTranscript", { ConnectionToken: token, MaxResults: 100, SortOrder: "ASCENDING" });
  checks.member("GetTranscript", all, "InitialContactId", (v) => v === chat.ContactId, "the chat's ContactId");
  checks.member("GetTranscript", all, "Transcript", "array");
  const items = all.Transcript ?? [];
  checks.items("GetTranscript.Transcript", items, { Id: "string", Type: "string", ContactId: "string", AbsoluteTime: "time" });
  checks.items("GetTranscript.Transcript", items.filter((i) => i.Type !== "ATTACHMENT"), { ContentType: "string" });
  const mine = items.find((i) => i.Id === sent.Id);
  checks.member("GetTranscript.Transcript(message)", mine, "Content", (v) => v === "hello from sdk-js", "the message sent");
  checks.member("GetTranscript.Transcript(message)", mine, "ParticipantRole", (v) => v === "CUSTOMER", "CUSTOMER");
  checks.member("GetTranscript.Transcript(message)", mine, "ParticipantId", (v) => v === chat.ParticipantId, "the customer's");
  checks.member("GetTranscript.Transcript(message)", mine, "DisplayName", "string");
  const read = items.find((i) => i.Id === first.Id);
  checks.member("GetTranscript.Transcript(read)", read, "MessageMetadata.MessageId", (v) => v === first.Id, "its own Id");
  checks.member("GetTranscript.Transcript(read)", read, "MessageMetadata.Receipts.0.ReadTimestamp", "time");
  checks.member("GetTranscript.Transcript(read)", read, "MessageMetadata.Receipts.0.RecipientParticipantId", (v) => v === chat.ParticipantId, "the customer's");
  const file = items.find((i) => i.Type === "ATTACHMENT");
  checks.member("GetTranscript.Transcript(attachment)", file, "Attachments.0.AttachmentId", (v) => v === attachmentId, "the one uploaded");
  checks.member("GetTranscript.Transcript(attachment)", file, "Attachments.0.AttachmentName", (v) => v === "notes.txt", "notes.txt");
  checks.member("GetTranscript.Transcript(attachment)", file, "Attachments.0.ContentType", (v) => v === "text/plain", "text/plain");
  checks.member("GetTranscript.Transcript(attachment)", file, "Attachments.0.Status", (v) => ["APPROVED", "REJECTED", "IN_PROGRESS"].includes(v), "an ArtifactStatus");

  // Pages of two, newest first, to the end: the same items, each once.
  const paged = [];
  let next;
  for (let page = 0; page < 100; page += 1) {
    const out = await send("GetTranscript", { ConnectionToken: token, MaxResults: 2, SortOrder: "ASCENDING", NextToken: next });
    paged.push(...(out.Transcript ?? []).map((i) => i.Id));
    if (page === 0) checks.member("GetTranscript(page)", out, "NextToken", "string");
    next = out.NextToken;
    if (!next) break;
  }
  checks.ok("GetTranscript(paged).Transcript", paged.length === items.length && new Set(paged).size === items.length && items.every((i) => paged.includes(i.Id)), `${paged.length} items over pages of 2, ${items.length} in one`);
  const from = await send("GetTranscript", { ConnectionToken: token, StartPosition: { Id: sent.Id }, ScanDirection: "FORWARD", SortOrder: "ASCENDING" });
  checks.member("GetTranscript(StartPosition)", from, "Transcript.0.Id", (v) => v === sent.Id, "starts at the item asked for");
}

/** 400 for bad input, 404 for an unknown view; an unknown attachment is a 400 (the model gives GetAttachment no 404). */
async function errors(token) {
  await checks.error("SendMessage:empty-Content", () => send("SendMessage", { ConnectionToken: token, Content: "", ContentType: "text/plain" }), "ValidationException", 400);
  await checks.error("SendEvent:bad-ContentType", () => send("SendEvent", { ConnectionToken: token, ContentType: "text/plain" }), "ValidationException", 400);
  await checks.error("StartAttachmentUpload:zero-size", () => send("StartAttachmentUpload", { ConnectionToken: token, ContentType: "text/plain", AttachmentSizeInBytes: 0, AttachmentName: "x", ClientToken: "z" }), "ValidationException", 400);
  await checks.error("CompleteAttachmentUpload:unknown", () => send("CompleteAttachmentUpload", { ConnectionToken: token, AttachmentIds: ["no-such-attachment"], ClientToken: "z" }), "ValidationException", 400);
  await checks.error("GetAttachment:unknown", () => send("GetAttachment", { ConnectionToken: token, AttachmentId: "no-such-attachment" }), "ValidationException", 400);
  await checks.error("GetTranscript:bad-NextToken", () => send("GetTranscript", { ConnectionToken: token, NextToken: "not-a-token" }), "ValidationException", 400);
  await checks.error("GetAuthenticationUrl:unknown-session", () => send("GetAuthenticationUrl", { ConnectionToken: token, SessionId: "00000000-0000-4000-8000-000000000000", RedirectUri: "https://example.com/back" }), "ValidationException", 400);
  await checks.error("CancelParticipantAuthentication:unknown-session", () => send("CancelParticipantAuthentication", { ConnectionToken: token, SessionId: "00000000-0000-4000-8000-000000000000" }), "ValidationException", 400);
  try {
    await send("DescribeView", { ConnectionToken: token, ViewToken: "no-such-view" });
    checks.ok("DescribeView:unknown", false, "succeeded; expected ResourceNotFoundException (404)");
  } catch (e) {
    checks.ok("DescribeView:unknown", e.name === "ResourceNotFoundException" && e.$metadata?.httpStatusCode === 404, `${e.name} (${e.$metadata?.httpStatusCode})`);
    checks.member("DescribeView:unknown", e, "ResourceId", (v) => v === "no-such-view", "the view token");
    checks.member("DescribeView:unknown", e, "ResourceType", "string");
  }
  await checks.error("SendMessage:bad-token", () => send("SendMessage", { ConnectionToken: "not-a-token", Content: "x", ContentType: "text/plain" }), "AccessDeniedException", 403);
}

/** A chat the agent ends: every call after it is a 403. */
async function endedChat() {
  const chat = await startChat();
  const [, token] = await connect(chat);
  await endChat(chat.ContactId);
  await checks.error("SendMessage:after-the-end", () => send("SendMessage", { ConnectionToken: token, Content: "late", ContentType: "text/plain" }), "AccessDeniedException", 403);
  await checks.error("GetTranscript:after-the-end", () => send("GetTranscript", { ConnectionToken: token }), "AccessDeniedException", 403);
}

/** A persistent chat: the new chat continues the past one, whose transcript it can read. */
async function persistentChat() {
  const past = await startChat();
  const [, pastToken] = await connect(past);
  const said = await send("SendMessage", { ConnectionToken: pastToken, Content: "before the break", ContentType: "text/plain" });
  await endChat(past.ContactId);
  const chat = await startChat({ PersistentChat: { SourceContactId: past.ContactId, RehydrationType: "ENTIRE_PAST_SESSION" } });
  checks.member("StartChat(persistent)", chat, "ContinuedFromContactId", (v) => v === past.ContactId, "the past chat's ContactId");
  const [, token] = await connect(chat);
  // The model: a past item has RelatedContactId (the contact it was sent in), not ContactId.
  const id = "GetTranscript(past-contact).Transcript(message)";
  const out = await checks.attempt(`${id}.RelatedContactId`, () => send("GetTranscript", { ConnectionToken: token, ContactId: past.ContactId, SortOrder: "ASCENDING" }));
  if (out === undefined) return;
  const item = (out.Transcript ?? []).find((i) => i.Id === said.Id);
  checks.member(id, item, "RelatedContactId", (v) => v === past.ContactId, "the past message, with the past chat's ContactId");
}

/** The view a form would use, registered on the control path (`POST /emulator/views`). */
const VIEW = {
  Arn: "arn:aws:connect:us-west-2:111122223333:instance/peers/view/form:1",
  Content: { Actions: ["Submit", "Cancel"], InputSchema: "{\"type\":\"object\"}", Template: "{\"Head\":{\"Title\":\"Form\"}}" },
  Id: "form",
  Name: "Form",
  Version: 1,
};

/** DescribeView, GetAuthenticationUrl and CancelParticipantAuthentication answered with success: a view registered and an authentication session started on the control path. */
async function viewsAndAuthentication() {
  const chat = await startChat();
  const [, token] = await connect(chat);
  await control("/emulator/views", { ViewToken: "peers-view", View: VIEW });
  const described = await send("DescribeView", { ConnectionToken: token, ViewToken: "peers-view" });
  checks.member("DescribeView", described, "View.Id", (v) => v === VIEW.Id, "the view registered");
  checks.member("DescribeView", described, "View.Arn", (v) => v === VIEW.Arn, "the view registered");
  checks.member("DescribeView", described, "View.Name", (v) => v === VIEW.Name, "the view registered");
  checks.member("DescribeView", described, "View.Version", (v) => v === VIEW.Version, "the view registered");
  checks.member("DescribeView", described, "View.Content.Actions", (v) => JSON.stringify(v) === JSON.stringify(VIEW.Content.Actions), "the view registered");
  checks.member("DescribeView", described, "View.Content.InputSchema", (v) => v === VIEW.Content.InputSchema, "the view registered");
  checks.member("DescribeView", described, "View.Content.Template", (v) => v === VIEW.Content.Template, "the view registered");
  const { SessionId } = await control(`/emulator/chats/${chat.ContactId}/authentication`);
  const url = await send("GetAuthenticationUrl", { ConnectionToken: token, SessionId, RedirectUri: "https://example.com/back" });
  checks.member("GetAuthenticationUrl", url, "AuthenticationUrl", "url");
  const cancelled = await send("CancelParticipantAuthentication", { ConnectionToken: token, SessionId });
  checks.member("CancelParticipantAuthentication", cancelled, "$metadata.httpStatusCode", (v) => v === 200, "HTTP 200");
}

await checks.step("whole-chat", wholeChat);
await checks.step("ended-chat", endedChat);
await checks.step("persistent-chat", persistentChat);
await checks.step("views-and-authentication", viewsAndAuthentication);
process.exit(0);
