// The API's shapes, all taken from the generated OpenAPI types (src/generated/openapi.ts), so a
// change in the gateway's document changes them too; nothing here is written by hand.
import type { components, operations } from "./generated/openapi.js";

export type { components, operations, paths } from "./generated/openapi.js";

export type Schemas = components["schemas"];
export type User = Schemas["User"];
export type PublicUser = Schemas["PublicUser"];
export type AuthTokens = Schemas["AuthTokens"];
export type Message = Schemas["Message"];
export type Room = Schemas["Room"];
export type RoomList = Schemas["RoomList"];
export type PublicRoomList = Schemas["PublicRoomList"];
export type Member = Schemas["Member"];
export type MemberList = Schemas["MemberList"];
export type MessagePage = Schemas["MessagePage"];
export type Contact = Schemas["Contact"];
export type ContactList = Schemas["ContactList"];
export type ListRepliesResponse = Schemas["ListRepliesResponse"];
export type ListReceiptsResponse = Schemas["ListReceiptsResponse"];
export type SearchMessagesResponse = Schemas["SearchMessagesResponse"];
export type ReportReceipt = Schemas["ReportReceipt"];
export type ErrorEnvelope = Schemas["ErrorEnvelope"];
export type FieldViolation = Schemas["FieldViolation"];
export type ErrorCode = ErrorEnvelope["error"]["code"];
export type AttachmentInput = Schemas["AttachmentInput"];

type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;

// The JSON body an operation takes.
export type RequestBody<K extends keyof operations> = operations[K] extends {
  requestBody?: infer R;
}
  ? JsonOf<NonNullable<R>>
  : never;

// The JSON body of an operation's success answer (200, 201 or 202).
export type SuccessBody<K extends keyof operations> = JsonOf<
  operations[K]["responses"][Extract<keyof operations[K]["responses"], 200 | 201 | 202>]
>;

// The query parameters an operation accepts.
export type QueryOf<K extends keyof operations> = NonNullable<operations[K]["parameters"]["query"]>;
