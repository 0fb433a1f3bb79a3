// amazon-connect-chatjs (the newest 5.x) on Node, as a browser's chat widget runs it, against
// the standalone emulator: connect, the WebSocket (messages both ways, typing, read receipts
// for two messages, heartbeats and deep heartbeats), an attachment up and down, the
// transcript, an unknown view, leaving, the agent's end, and a persistent chat.
//
// chatjs is a browser bundle: in Node it needs `self`, `window` and `navigator` (for
// navigator.onLine) and a WebSocket global, here the `ws` package (its own tests use jsdom).
import {
  Checks, DELIVERED, READ, TYPING, agentEvent, agentSays, endChat, errorText, readersOf, requirePinned, startChat, BASE,
} from "./common.mjs";

globalThis.self = globalThis;
globalThis.window = globalThis;
if (!globalThis.navigator) globalThis.navigator = { userAgent: "node", onLine: true };
// Every socket chatjs opens is counted (a reconnection shows as a second one), and so are the
// emulator's answers to aws/heartbeat on them: chatjs itself only notices a missing answer at
// the round after, 10 s on, by opening a new socket.
let socketsOpened = 0;
const heartbeats = { answered: 0, waiters: [] };
globalThis.WebSocket = class CountedWebSocket extends requirePinned("ws") {
  constructor(...args) {
    super(...args);
    socketsOpened += 1;
    this.on("message", (data) => {
      let topic;
      try {
        topic = JSON.parse(String(data)).topic;
      } catch {
        return;
      }
      if (topic !== "aws/heartbeat") return;
      heartbeats.answered += 1;
      heartbeats.waiters = heartbeats.waiters.filter((w) => !(heartbeats.answered >= w.n && (w.resolve(), true)));
    });
  }
};

/** Resolves once `n` heartbeats were answered in all, or rejects after `ms`. */
function heartbeatsAnswered(n, ms = 5000) {
  if (heartbeats.answered >= n) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${heartbeats.answered} aws/heartbeat answered within ${ms} ms, not ${n}`)), ms);
    heartbeats.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(true); } });
  });
}
requirePinned("amazon-connect-chatjs");
const { ChatSession } = globalThis.connect;

const checks = new Checks("chatjs");
const REHYDRATED = "application/vnd.amazonaws.connect.event.chat.rehydrated";
// Receipts are sent 100 ms after they are asked for (5 s by default), and chatjs logs nothing.
ChatSession.setGlobalConfig({
  region: "us-west-2",
  endpoint: BASE,
  loggerConfig: { useDefaultLogger: false },
  features: { messageReceipts: { shouldSendMessageReceipts: true, throttleTime: 100 } },
});

/** Every event a session's callbacks saw, and a bounded wait for the one wanted. */
class Events {
  constructor(session) {
    this.seen = [];
    this.waiters = [];
    const names = ["Message", "Typing", "ReadReceipt", "DeliveredReceipt", "ConnectionEstablished", "ConnectionBroken", "ConnectionLost", "Ended", "DeepHeartbeatSuccess", "DeepHeartbeatFailure", "ChatRehydrated"];
    for (const name of names) session[`on${name}`]((event) => this.add(name, event));
  }

  add(name, event) {
    this.seen.push({ name, event });
    this.waiters = this.waiters.filter((w) => !(w.name === name && w.test(event?.data ?? event) && (w.resolve(event), true)));
  }

  /** The first event `name` whose data passes `test`, seen or to come, within `ms`. */
  until(name, test = () => true, ms = 5000) {
    const done = this.seen.find((s) => s.name === name && test(s.event?.data ?? s.event));
    if (done) return Promise.resolve(done.event);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
      this.waiters.push({ name, test, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  }

  count(name) {
    return this.seen.filter((s) => s.name === name).length;
  }
}

/** A customer's chatjs session on a chat started by the control path, connected. */
async function session(chat, label) {
  const chatSession = ChatSession.create({
    chatDetails: { contactId: chat.ContactId, participantId: chat.ParticipantId, participantToken: chat.ParticipantToken },
    options: { region: "us-west-2" },
    type: "CUSTOMER",
    disableCSM: true,
  });
  const events = new Events(chatSession);
  const connected = await chatSession.connect();
  checks.ok(`connect(${label}):connectSuccess`, connected?.connectSuccess === true, "CreateParticipantConnection, then the WebSocket");
  return [chatSession, events];
}

/** chatjs rejects with {type, statusCode} (client.js `_sendRequest`). */
const chatjsError = (e) => [e?.type, e?.statusCode];

async function wholeChat() {
  const chat = await startChat();
  const heartbeatsBefore = heartbeats.answered;
  const [s, events] = await session(chat, "whole-chat");
  await checks.step("WebSocket.open", () => events.until("ConnectionEstablished"));
  checks.ok("WebSocket.open", events.count("ConnectionEstablished") > 0, "onConnectionEstablished");
  const firstPing = await checks.attempt("WebSocket.aws/ping", () => events.until("DeepHeartbeatSuccess"));
  if (firstPing) checks.ok("WebSocket.aws/ping", true, "the first deep heartbeat answered (statusCode 200)");
  const pingedAt = Date.now();
  const openedBefore = socketsOpened;

  // Messages both ways.
  const sent = await s.sendMessage({ contentType: "text/plain", message: "hello from chatjs" });
  checks.member("SendMessage", sent?.data, "Id", "string");
  checks.member("SendMessage", sent?.data, "AbsoluteTime", "time");
  const echo = await checks.attempt("WebSocket.MESSAGE(own).Content", () => events.until("Message", (d) => d.Id === sent.data.Id));
  if (echo) checks.member("WebSocket.MESSAGE(own)", echo.data, "Content", (v) => v === "hello from chatjs", "the message sent, pushed back");
  const first = await agentSays(chat.ContactId, "agent one");
  const heard = await checks.attempt("WebSocket.MESSAGE(agent).Content", () => events.until("Message", (d) => d.Id === first.Id));
  if (heard) {
    checks.member("WebSocket.MESSAGE(agent)", heard.data, "Content", (v) => v === "agent one", "the agent's message");
    checks.member("WebSocket.MESSAGE(agent)", heard.data, "ParticipantRole", (v) => v === "AGENT", "AGENT");
    for (const m of ["ParticipantId", "DisplayName", "ContactId", "InitialContactId", "Type"]) checks.member("WebSocket.MESSAGE(agent)", heard.data, m, "string");
    checks.member("WebSocket.MESSAGE(agent)", heard.data, "AbsoluteTime", "time");
  }

  // Typing both ways.
  const typing = await s.sendEvent({ contentType: TYPING });
  checks.member("SendEvent(typing)", typing?.data, "Id", "string");
  await agentEvent(chat.ContactId, TYPING);
  const agentTyping = await checks.attempt("WebSocket.EVENT(typing).ParticipantRole", () => events.until("Typing", (d) => d.ParticipantRole === "AGENT"));
  if (agentTyping) checks.ok("WebSocket.EVENT(typing).ParticipantRole", true, "onTyping for the agent");

  // Read receipts for two messages: chatjs sends each with ClientToken INCOMING_READ_RECEIPT.
  const second = await agentSays(chat.ContactId, "agent two");
  const r1 = await s.sendEvent({ contentType: READ, content: JSON.stringify({ messageId: first.Id }) });
  checks.member("SendEvent(read-1)", r1?.data, "Id", "string");
  const r2 = await s.sendEvent({ contentType: READ, content: JSON.stringify({ messageId: second.Id }) });
  checks.member("SendEvent(read-2)", r2?.data, "Id", (v) => typeof v === "string" && v !== r1?.data?.Id, "an Id of its own, not the 1st receipt's");
  checks.ok("SendEvent(read-1):recorded", (await readersOf(chat.ContactId, first.Id)).includes(chat.ParticipantId), "the agent sees the 1st message read");
  checks.ok("SendEvent(read-2):recorded", (await readersOf(chat.ContactId, second.Id)).includes(chat.ParticipantId), "the agent sees the 2nd message read");
  // The agent's receipts for the customer's message: chatjs shows them to their sender.
  await agentEvent(chat.ContactId, DELIVERED, JSON.stringify({ messageId: sent.data.Id }));
  await agentEvent(chat.ContactId, READ, JSON.stringify({ messageId: sent.data.Id }));
  for (const [name, member] of [["DeliveredReceipt", "DeliveredTimestamp"], ["ReadReceipt", "ReadTimestamp"]]) {
    const id = `WebSocket.MESSAGEMETADATA(${member}).MessageMetadata.MessageId`;
    const got = await checks.attempt(id, () => events.until(name, (d) => d.MessageMetadata?.MessageId === sent.data.Id));
    if (got) {
      checks.ok(id, true, `on${name} for the customer's message`);
      checks.member(`WebSocket.MESSAGEMETADATA(${member})`, got.data, `MessageMetadata.Receipts.0.${member}`, "time");
    }
  }

  await checks.step("attachment", () => attachment(s, events));
  const transcript = await s.getTranscript({ maxResults: 100, sortOrder: "ASCENDING" });
  const items = transcript?.data?.Transcript ?? [];
  checks.member("GetTranscript", transcript?.data, "InitialContactId", (v) => v === chat.ContactId, "the chat's ContactId");
  checks.ok("GetTranscript.Transcript", items.some((i) => i.Id === sent.data.Id) && items.some((i) => i.Id === second.Id), `${items.length} items, both sides' messages among them`);
  await checks.error("DescribeView:unknown", () => s.describeView({ viewToken: "no-such-view" }), "ResourceNotFoundException", 404, chatjsError);

  // Heartbeats: chatjs sends aws/heartbeat and aws/ping on opening and every 10 s; an
  // unanswered aws/heartbeat makes it open a new socket at the next round. The second round's
  // deep heartbeat must be answered, on the same socket.
  const secondPing = await checks.attempt("WebSocket.aws/ping(2nd)", () => events.until("DeepHeartbeatSuccess", () => Date.now() - pingedAt > 5000, 20000));
  if (secondPing) checks.ok("WebSocket.aws/ping(2nd)", true, `${events.count("DeepHeartbeatSuccess")} deep heartbeats answered`);
  const answered = await checks.attempt("WebSocket.aws/heartbeat", () => heartbeatsAnswered(heartbeatsBefore + 2));
  const reopened = socketsOpened - openedBefore;
  const lost = events.count("ConnectionLost") + events.count("ConnectionBroken");
  if (answered !== undefined) {
    checks.ok("WebSocket.aws/heartbeat", reopened === 0 && lost === 0, `both rounds answered on the socket first opened (${reopened} opened since, ${lost} lost)`);
  }

  const left = await s.disconnectParticipant();
  checks.member("DisconnectParticipant", left?.data, "$metadata.httpStatusCode", (v) => v === 200, "200");
  const ended = await checks.attempt("WebSocket.close", () => events.until("Ended"));
  if (ended) checks.ok("WebSocket.close", true, "onEnded after leaving");
}

/** An attachment up (sendAttachment: StartAttachmentUpload, the PUT, Complete) and down. */
async function attachment(s, events) {
  const bytes = Buffer.from("chatjs attachment bytes\n");
  const file = new File([bytes], "notes.txt", { type: "text/plain" });
  const up = await s.sendAttachment({ attachment: file });
  checks.member("sendAttachment(CompleteAttachmentUpload)", up?.data, "$metadata.httpStatusCode", (v) => v === 200, "200 after StartAttachmentUpload and the PUT");
  const pushed = await checks.attempt("WebSocket.ATTACHMENT.Attachments", () => events.until("Message", (d) => d.Type === "ATTACHMENT"));
  if (!pushed) return;
  const attachmentId = pushed.data.Attachments?.[0]?.AttachmentId;
  checks.member("WebSocket.ATTACHMENT", pushed.data, "Attachments.0.AttachmentName", (v) => v === "notes.txt", "notes.txt");
  checks.member("WebSocket.ATTACHMENT", pushed.data, "Attachments.0.AttachmentId", "string");
  const blob = await s.downloadAttachment({ attachmentId });
  const down = Buffer.from(await blob.arrayBuffer());
  checks.ok("downloadAttachment(GetAttachment)", down.equals(bytes), `${down.length} bytes, the bytes uploaded`);
}

/** The agent ends a chat: chatjs sees chat.ended on the WebSocket and ends the session. */
async function endedChat() {
  const chat = await startChat();
  const [, events] = await session(chat, "ended-chat");
  await events.until("ConnectionEstablished");
  await endChat(chat.ContactId);
  const ended = await checks.attempt("WebSocket.EVENT(chat.ended)", () => events.until("Ended"));
  if (ended) checks.ok("WebSocket.EVENT(chat.ended)", true, "onEnded when the agent ends the chat");
}

/** A persistent chat: chatjs hears chat.rehydrated and reads the past contact's transcript. */
async function persistentChat() {
  const past = await startChat();
  const [ps, pastEvents] = await session(past, "past-chat");
  await pastEvents.until("ConnectionEstablished");
  const said = await ps.sendMessage({ contentType: "text/plain", message: "before the break" });
  await endChat(past.ContactId);
  await pastEvents.until("Ended");
  const chat = await startChat({ PersistentChat: { SourceContactId: past.ContactId, RehydrationType: "ENTIRE_PAST_SESSION" } });
  checks.member("StartChat(persistent)", chat, "ContinuedFromContactId", (v) => v === past.ContactId, "the past chat's ContactId");
  const [s, events] = await session(chat, "persistent-chat");
  const own = await checks.attempt("GetTranscript(persistent).Transcript(chat.rehydrated)", () => s.getTranscript({ maxResults: 100, sortOrder: "ASCENDING" }));
  if (own) checks.ok("GetTranscript(persistent).Transcript(chat.rehydrated)", (own.data?.Transcript ?? []).some((i) => i.ContentType === REHYDRATED), "the new chat's transcript holds chat.rehydrated");
  // chatjs hears chat.rehydrated only from its socket, opened after the chat started (its
  // README's onChatRehydrated example loads the previous transcript there).
  const rehydrated = await checks.attempt("WebSocket.EVENT(chat.rehydrated)", () => events.until("ChatRehydrated", () => true, 3000));
  if (rehydrated) checks.ok("WebSocket.EVENT(chat.rehydrated)", true, "onChatRehydrated");
  const id = "GetTranscript(past-contact).Transcript(message).RelatedContactId";
  const out = await checks.attempt(id, () => s.getTranscript({ contactId: past.ContactId, maxResults: 100, sortOrder: "ASCENDING" }));
  if (out) {
    const item = (out.data?.Transcript ?? []).find((i) => i.Id === said?.data?.Id);
    checks.member("GetTranscript(past-contact).Transcript(message)", item, "RelatedContactId", (v) => v === past.ContactId, "the past message, with the past chat's ContactId");
  }
  await s.disconnectParticipant().catch((e) => checks.ok("persistent-chat:DisconnectParticipant", false, errorText(e)));
}

await checks.step("whole-chat", wholeChat);
await checks.step("ended-chat", endedChat);
await checks.step("persistent-chat", persistentChat);
process.exit(0);
