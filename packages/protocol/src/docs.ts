// Renders the reference half of docs/protocol.md from the schemas, so the document integrators read
// cannot drift from what the server validates. Pure (no Node APIs): write-docs.ts does the file I/O.
// Deliberately not exported from index.ts; it has its own package entry, `@kefu/protocol/docs`.
import { z } from 'zod';
import {
  AgentAuthSchema,
  AgentSessionSchema,
  QueuedItemSchema,
  QueueSnapshotSchema,
  QueueStatsSchema,
  agentCommands,
  agentServerEvents,
} from './agent.js';
import { errorCodeMeanings, errorCodes, httpStatusOf } from './errors.js';
import {
  AgentCreateSchema,
  AgentPatchSchema,
  AuditPageSchema,
  AuditQuerySchema,
  ReportQuerySchema,
  ReportSchema,
  CannedCreateSchema,
  InboxCreateSchema,
  InboxPatchSchema,
  LoginInputSchema,
  LoginOutputSchema,
  UploadOutputSchema,
} from './http.js';
import { PROTOCOL_VERSION } from './index.js';
import { limits } from './limits.js';
import {
  AgentConversationSchema,
  ConversationActivityItemSchema,
  ConversationActivitySchema,
  AgentProfileSchema,
  AttachmentSchema,
  AuthorSchema,
  CannedResponseSchema,
  InboxSchema,
  MessageSchema,
  QueueInfoSchema,
  VisitorConversationSchema,
  VisitorDetailsSchema,
  VisitorInfoSchema,
} from './shapes.js';
import { ViewerSchema } from './supervision.js';
import { VisitorAuthSchema, VisitorSessionSchema, visitorCommands, visitorServerEvents } from './visitor.js';

/** Everything below this line in docs/protocol.md is renderProtocolDoc()'s output. */
export const PROTOCOL_DOC_MARKER = '<!-- generated below by packages/protocol/src/docs.ts: npm run docs:protocol -->';

/** Shapes that appear in many places are documented once, under their name, and linked elsewhere. */
const namedShapes: [string, z.ZodType][] = [
  ['Message', MessageSchema],
  ['Author', AuthorSchema],
  ['Attachment', AttachmentSchema],
  ['VisitorConversation', VisitorConversationSchema],
  ['QueueInfo', QueueInfoSchema],
  ['AgentConversation', AgentConversationSchema],
  ['Viewer', ViewerSchema],
  ['ConversationActivity', ConversationActivitySchema],
  ['ConversationActivityItem', ConversationActivityItemSchema],
  ['AgentProfile', AgentProfileSchema],
  ['VisitorInfo', VisitorInfoSchema],
  ['VisitorDetails', VisitorDetailsSchema],
  ['VisitorSession', VisitorSessionSchema],
  ['AgentSession', AgentSessionSchema],
  ['QueueSnapshot', QueueSnapshotSchema],
  ['QueuedItem', QueuedItemSchema],
  ['QueueStats', QueueStatsSchema],
  ['CannedResponse', CannedResponseSchema],
  ['Inbox', InboxSchema],
];

const limitNotes: Partial<Record<keyof typeof limits, string>> = {
  idLength: 'Characters in an id sent by a client (conversation, inbox, agent, attachment ids).',
  clientMsgIdLength: 'Characters in a `clientMsgId`.',
  bodyHardMax: "Largest `maxMessageLength` an inbox may have (characters, counted after trimming).",
  frameBytes: 'Bytes in one Socket.IO frame; a larger frame closes that connection.',
  bodyRawMax: 'UTF-16 units a message body may hold before trimming; past it → `bad_request`, below it the inbox limit decides (`too_large`).',
  defaultMaxMessageLength: "An inbox's `maxMessageLength` unless set (characters after trimming; longer → `too_large`).",
  attachmentsPerMessage: 'Attachments on one message.',
  syncPageSize: 'Messages in one `conversation:sync` answer; `hasMore` says to call again.',
  historyDefaultLimit: 'Messages in a `conversation:history` answer (and in `conversation:open`) without `limit`.',
  historyMaxLimit: 'Largest `limit` of `conversation:history`.',
  listDefaultLimit: 'Conversations in a `conversation:list` answer without `limit`.',
  listMaxLimit: 'Largest `limit` of `conversation:list`.',
  nameLength: 'Characters in a visitor, agent or inbox name.',
  emailLength: 'Characters in an email address.',
  urlLength: 'Characters in a page URL, referrer or allowed origin.',
  titleLength: 'Characters in a page title.',
  commentLength: 'Characters in a CSAT comment.',
  draftLength: 'Characters in a live typing preview (`typing:set` `draft`).',
  shortcutLength: 'Characters in a canned response shortcut.',
  passwordMin: 'Shortest agent password.',
  passwordMax: 'Longest agent password.',
  capacityMax: 'Largest agent capacity (concurrent conversations).',
  activityPreviewLength: 'Characters of the last message in a `conversation:activity` row.',
  activityWindowMs: "How long a node gathers an inbox's list updates before it sends them (ms).",
  activityPartRows: 'Rows in one `conversation:activity`; a window with more comes in parts, the first at once, the rest spread over the next window.',
  greetingLength: 'Characters in an inbox greeting.',
  originsPerInbox: 'Allowed origins of one inbox.',
  viewersListed: 'Viewers named in one `conversation:viewers` event.',
  searchQueryLength: 'Characters in a `conversation:search` query.',
  searchDefaultLimit: 'Results of each kind in a `conversation:search` answer without `limit`.',
  searchMaxLimit: 'Largest `limit` of `conversation:search`.',
  searchSnippetLength: 'Characters of a matching message in a `conversation:search` result.',
};

type Json = {
  $ref?: string;
  $defs?: Record<string, Json>;
  type?: string | string[];
  properties?: Record<string, Json>;
  required?: string[];
  items?: Json;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Json[];
  oneOf?: Json[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  default?: unknown;
  description?: string;
};

type Io = 'input' | 'output';

const registry = z.registry<{ id: string }>();
for (const [id, schema] of namedShapes) registry.add(schema, { id });

const toJson = (schema: z.ZodType, io: Io): Json =>
  z.toJSONSchema(schema, { metadata: registry, io, unrepresentable: 'any', cycles: 'ref' }) as Json;

const refName = (ref: string) => ref.replace(/^#\/\$defs\//, '');
const anchor = (name: string) => name.toLowerCase();
const link = (name: string) => `[\`${name}\`](#${anchor(name)})`;
const literal = (value: unknown) => (typeof value === 'string' ? `'${value}'` : String(value));
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A named shape's JSON Schema (the root of its own rendering is a $ref to itself). */
function resolveRoot(json: Json): Json {
  return json.$ref && json.$defs ? (json.$defs[refName(json.$ref)] ?? json) : json;
}

const branches = (json: Json): Json[] => json.anyOf ?? json.oneOf ?? [];
const isNull = (json: Json) => json.type === 'null';
/** An object with fields of its own (not a named shape): its fields are listed as `parent.field` rows. */
const inlineObject = (json: Json): Json | null => {
  if (json.type === 'object' && json.properties && Object.keys(json.properties).length > 0) return json;
  const objects = branches(json).filter((b) => !isNull(b));
  return objects.length === 1 ? inlineObject(objects[0]!) : null;
};

function typeOf(json: Json): string {
  if (json.$ref) return link(refName(json.$ref));
  if (json.const !== undefined) return `\`${literal(json.const)}\``;
  if (json.enum) return json.enum.map((v) => `\`${literal(v)}\``).join(' | ');
  const union = branches(json);
  if (union.length > 0) {
    if (union.every((b) => b.const !== undefined)) return union.map((b) => `\`${literal(b.const)}\``).join(' | ');
    return union.map(typeOf).join(' | ');
  }
  if (Array.isArray(json.type)) return json.type.map((t) => typeOf({ ...json, type: t })).join(' | ');
  switch (json.type) {
    case 'array': {
      const item = typeOf(json.items ?? {});
      return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
    }
    case 'object':
      return json.properties && Object.keys(json.properties).length > 0 ? 'object' : '`{}`';
    case undefined:
      return 'any';
    default:
      return json.type;
  }
}

const SAFE = Number.MAX_SAFE_INTEGER;
function range(low: string | null, high: string | null, unit: string): string | null {
  if (low !== null && high !== null) return `${low}–${high}${unit}`;
  if (low !== null) return `≥ ${low}${unit}`;
  if (high !== null) return `≤ ${high}${unit}`;
  return null;
}

function limitsOf(json: Json): string {
  const notes: string[] = [];
  const union = branches(json).filter((b) => !isNull(b));
  if (union.length === 1) return limitsOf(union[0]!);
  const length = range(json.minLength !== undefined && json.minLength > 0 ? String(json.minLength) : null, json.maxLength !== undefined ? String(json.maxLength) : null, ' chars');
  if (length) notes.push(length);
  const low = json.exclusiveMinimum !== undefined ? null : json.minimum !== undefined && json.minimum > -SAFE ? String(json.minimum) : null;
  const high = json.exclusiveMaximum !== undefined ? null : json.maximum !== undefined && json.maximum < SAFE ? String(json.maximum) : null;
  if (json.exclusiveMinimum !== undefined) notes.push(`> ${json.exclusiveMinimum}`);
  const bounds = range(low, high, '');
  if (bounds) notes.push(bounds);
  if (json.exclusiveMaximum !== undefined) notes.push(`< ${json.exclusiveMaximum}`);
  const items = range(json.minItems ? String(json.minItems) : null, json.maxItems !== undefined ? String(json.maxItems) : null, ' items');
  if (items) notes.push(items);
  if (json.format === 'email') notes.push('an email address');
  else if (json.format === 'date-time') notes.push('ISO 8601 date-time');
  else if (json.format) notes.push(json.format);
  else if (json.pattern) notes.push(`matches \`${json.pattern}\``);
  if (json.type === 'array' && json.items && !json.items.$ref && !inlineObject(json.items)) {
    const each = limitsOf(json.items);
    if (each) notes.push(`each ${each}`);
  }
  if (json.default !== undefined) notes.push(`default \`${JSON.stringify(json.default)}\``);
  if (json.description) notes.push(json.description);
  return notes.join('; ');
}

type Row = { field: string; type: string; required: boolean; limits: string };

function rowsOf(object: Json, prefix = ''): Row[] {
  const rows: Row[] = [];
  for (const [name, property] of Object.entries(object.properties ?? {})) {
    const field = `${prefix}${name}`;
    rows.push({ field, type: typeOf(property), required: object.required?.includes(name) ?? false, limits: limitsOf(property) });
    const nested = inlineObject(property);
    if (nested) rows.push(...rowsOf(nested, `${field}.`));
    const items = property.type === 'array' && property.items ? inlineObject(property.items) : null;
    if (items) rows.push(...rowsOf(items, `${field}[].`));
  }
  return rows;
}

function table(rows: Row[], io: Io): string {
  const head = io === 'input' ? '| field | type | required | limits |\n|---|---|---|---|' : '| field | type | always present | notes |\n|---|---|---|---|';
  const body = rows.map((r) => `| \`${r.field}\` | ${cell(r.type)} | ${r.required ? 'yes' : 'no'} | ${cell(r.limits)} |`);
  return [head, ...body].join('\n');
}

/** A payload, ack or event shape: a link to a named shape, `{}`, or a table of its fields. */
function shape(label: string, schema: z.ZodType, io: Io): string {
  const json = toJson(schema, io);
  if (json.$ref) return `${label}: ${link(refName(json.$ref))}`;
  const object = inlineObject(json);
  if (!object) return `${label}: ${typeOf(json) === 'object' ? '`{}`' : typeOf(json)}`;
  return `${label}:\n\n${table(rowsOf(object), io)}`;
}

type Commands = Record<string, { input: z.ZodType; output: z.ZodType }>;

function namespaceSection(title: string, path: string, auth: z.ZodType, commands: Commands, events: Record<string, z.ZodType>): string {
  const out = [`### ${title} namespace \`${path}\``, '', '#### Handshake', '', shape('`auth`', auth, 'input'), '', '#### Commands', ''];
  out.push('| command | payload | ack data |', '|---|---|---|');
  for (const [name, { input, output }] of Object.entries(commands)) {
    out.push(`| \`${name}\` | ${cell(summary(input, 'input'))} | ${cell(summary(output, 'output'))} |`);
  }
  for (const [name, { input, output }] of Object.entries(commands)) {
    out.push('', `##### \`${name}\``, '', shape('Payload', input, 'input'), '', shape('Ack data', output, 'output'));
  }
  out.push('', '#### Server events', '', '| event | payload |', '|---|---|');
  for (const [name, schema] of Object.entries(events)) out.push(`| \`${name}\` | ${cell(summary(schema, 'output'))} |`);
  for (const [name, schema] of Object.entries(events)) out.push('', `##### \`${name}\``, '', shape('Payload', schema, 'output'));
  return out.join('\n');
}

/** A one-line TypeScript-like rendering, for the overview tables. */
function summary(schema: z.ZodType, io: Io): string {
  const json = toJson(schema, io);
  const line = (j: Json): string => {
    if (j.$ref) return refName(j.$ref);
    const object = inlineObject(j);
    if (object && object === j) {
      const fields = Object.entries(object.properties ?? {}).map(([k, v]) => `${k}${object.required?.includes(k) ? '' : '?'}: ${line(v)}`);
      return `{ ${fields.join('; ')} }`;
    }
    const union = branches(j);
    if (union.length > 0) return union.every((b) => b.const !== undefined) ? union.map((b) => literal(b.const)).join(' | ') : union.map(line).join(' | ');
    if (j.enum) return j.enum.map(literal).join(' | ');
    if (j.const !== undefined) return literal(j.const);
    if (Array.isArray(j.type)) return j.type.join(' | ');
    if (j.type === 'array') {
      const item = line(j.items ?? {});
      return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
    }
    if (j.type === 'object') return '{}';
    if (j.type === 'integer') return 'number';
    return j.type ?? 'any';
  };
  return `\`${line(json)}\``;
}

const httpBodies: [string, z.ZodType | null, z.ZodType | null][] = [
  ['POST /api/auth/login', LoginInputSchema, LoginOutputSchema],
  ['POST /api/admin/agents', AgentCreateSchema, null],
  ['PATCH /api/admin/agents/:id', AgentPatchSchema, null],
  ['POST /api/admin/inboxes', InboxCreateSchema, null],
  ['PATCH /api/admin/inboxes/:id', InboxPatchSchema, null],
  ['POST /api/admin/canned', CannedCreateSchema, null],
  ['POST /api/uploads', null, UploadOutputSchema],
  ['GET /api/admin/audit', AuditQuerySchema, AuditPageSchema],
  ['GET /api/admin/reports', ReportQuerySchema, ReportSchema],
];

/** The generated reference: limits, error codes, both namespaces, HTTP bodies and the shared shapes. */
export function renderProtocolDoc(): string {
  const out: string[] = [
    `## Reference (protocol version ${PROTOCOL_VERSION})`,
    '',
    'Generated from the zod schemas in `packages/protocol`, which the server validates every payload against.',
    'Fields marked optional may be left out; unknown fields are ignored. "always present: no" marks a field',
    'a server may leave out. Shapes in `code` links are described under [Shared shapes](#shared-shapes).',
    '',
    '### Limits',
    '',
    '| limit | value | meaning |',
    '|---|---|---|',
    ...Object.entries(limits).map(([name, value]) => `| \`${name}\` | ${value} | ${cell(limitNotes[name as keyof typeof limits] ?? '')} |`),
    '',
    '### Error codes',
    '',
    'Every failed ack carries `{ ok: false, error: { code, message } }`; HTTP errors carry `{ error: { code, message } }` with this status.',
    '',
    '| code | HTTP status | meaning |',
    '|---|---|---|',
    ...errorCodes.map((code) => `| \`${code}\` | ${httpStatusOf[code]} | ${cell(errorCodeMeanings[code])} |`),
    '',
    namespaceSection('Visitor', '/visitor', VisitorAuthSchema, visitorCommands, visitorServerEvents),
    '',
    namespaceSection('Agent', '/agent', AgentAuthSchema, agentCommands, agentServerEvents),
    '',
    '### HTTP bodies',
  ];
  for (const [route, input, output] of httpBodies) {
    out.push('', `#### \`${route}\``);
    if (input) out.push('', shape('Request body (JSON)', input, 'input'));
    if (output) out.push('', shape('Response body', output, 'output'));
  }
  out.push('', '### Shared shapes');
  for (const [name, schema] of namedShapes) {
    const object = inlineObject(resolveRoot(toJson(schema, 'output')));
    out.push('', `#### ${name}`, '', object ? table(rowsOf(object), 'output') : typeOf(resolveRoot(toJson(schema, 'output'))));
  }
  return `${out.join('\n')}\n`;
}

/** The document with everything below the marker replaced by a fresh rendering. */
export function spliceProtocolDoc(current: string): string {
  const at = current.indexOf(PROTOCOL_DOC_MARKER);
  if (at < 0) throw new Error(`docs/protocol.md has no marker line: ${PROTOCOL_DOC_MARKER}`);
  return `${current.slice(0, at + PROTOCOL_DOC_MARKER.length)}\n\n${renderProtocolDoc()}`;
}

/** The part of the document below the marker (what renderProtocolDoc() must reproduce), or null. */
export function generatedPartOf(document: string): string | null {
  const at = document.indexOf(PROTOCOL_DOC_MARKER);
  return at < 0 ? null : document.slice(at + PROTOCOL_DOC_MARKER.length).replace(/^\n\n/, '');
}
