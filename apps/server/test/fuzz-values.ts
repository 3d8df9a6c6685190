// Value generators for the protocol fuzz test: a seeded PRNG, random JSON, schema-derived valid
// payloads and their one-field mutations. Everything is drawn from one PRNG, in a fixed order, so a
// seed replays the same payloads.
import { z } from 'zod';

export type Rng = {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
};

/** mulberry32: tiny, fast, good enough to make fuzz runs reproducible from a 32-bit seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)]!, chance: (p) => next() < p };
}

/** Pieces of hostile text: control characters, lone surrogates, bidi overrides, injections. */
const GARBAGE = [
  '\u0000', '\u0001', '\u0007', '\u001b[31m', '\u007f', '\u0085', '\u00a0', '\u200b', '\u200d', '\u202e', '\u2028', '\u2029',
  '\ufeff', '\ufffe', '\uffff', '\ud800', '\udfff', '\ud83d', '😀', '👩🏽‍🚀', '𝕏', 'Z̷̢̛a̶l̸g̵o̴', 'ß', '中文', 'العربية', '\n', '\r\n', '\t',
  '"', '\\', '\'', "' OR 1=1 --", '); DROP TABLE messages; --', '%s%n', '${process.exit()}', '{{7*7}}', '<script>alert(1)</script>',
  '../../etc/passwd', 'null', 'undefined', 'NaN', '-0', '__proto__', 'constructor', ' ',
];

export function garbageString(rng: Rng, pieces = rng.int(1, 12)): string {
  let out = '';
  for (let i = 0; i < pieces; i++) out += rng.chance(0.7) ? rng.pick(GARBAGE) : String.fromCharCode(rng.int(0, 0xffff));
  return out;
}

/** Numbers that break naive code; NaN and ±Infinity travel as null in JSON, which is the point. */
export const NASTY_NUMBERS = [
  -1, 0, -0, 0.5, 1.5, -1.5, NaN, Infinity, -Infinity, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e21, 1e308,
  -1e308, Number.MIN_VALUE, Number.EPSILON,
];

/** Own, enumerable keys that JS treats specially; `{ __proto__: x }` would set the prototype instead. */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
export const poisonValue = () => ({ polluted: 'fuzz', prototype: { polluted: 'fuzz' } });

export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Any JSON value (plus the JSON-unsafe numbers, which serialize to null). */
export function randomJson(rng: Rng, depth = 3): unknown {
  const kind = rng.int(0, depth > 0 ? 9 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(NASTY_NUMBERS);
    case 3:
      return rng.int(-1_000, 1_000);
    case 4:
      return garbageString(rng);
    case 5:
      return 'x'.repeat(rng.pick([0, 1, 99, 100, 101, 200, 201, 5_000, 20_001]));
    case 6:
      return rng.pick(['', 'true', '1', '{}', '[]', 'mine', 'online', 'resolved']);
    case 7:
    case 8: {
      const object: Record<string, unknown> = {};
      const keys = rng.int(0, 5);
      for (let i = 0; i < keys; i++) {
        const key = rng.chance(0.3) ? rng.pick(POISON_KEYS) : rng.chance(0.5) ? garbageString(rng, 2) : rng.pick(['conversationId', 'body', 'seq', 'status', 'id']);
        setOwn(object, key, key === '__proto__' || key === 'constructor' ? poisonValue() : randomJson(rng, depth - 1));
      }
      return object;
    }
    default:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
  }
}

export function deeplyNested(depth: number, asArray: boolean): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { conversationId: value };
  return value;
}

/** The JSON Schema of a zod schema as it is sent (io: 'input'), the subset the walkers below read. */
export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  format?: string;
};

export const inputJsonSchema = (schema: z.ZodType): JsonSchema => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Values for fields whose valid content depends on the server's state (ids of the fixtures). */
export type Fixtures = Record<string, (rng: Rng) => unknown>;

/** A payload the schema accepts, with ids from the fixtures; optional fields appear half the time. */
export function validExample(schema: JsonSchema, rng: Rng, fixtures: Fixtures, key = ''): unknown {
  const fixture = fixtures[key];
  if (fixture) return fixture(rng);
  if (schema.anyOf) {
    const branches = schema.anyOf.filter((s) => s.type !== 'null');
    return rng.chance(0.1) && branches.length < schema.anyOf.length ? null : validExample(rng.pick(branches), rng, fixtures, key);
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return rng.pick(schema.enum);
  const type = Array.isArray(schema.type) ? rng.pick(schema.type) : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (schema.required?.includes(name) || rng.chance(0.5)) out[name] = validExample(property, rng, fixtures, name);
      }
      return out;
    }
    case 'array':
      return Array.from({ length: rng.int(0, Math.min(2, schema.maxItems ?? 2)) }, () => validExample(schema.items ?? {}, rng, fixtures, `${key}[]`));
    case 'string': {
      if (schema.format === 'email') return `fuzz${rng.int(0, 999)}@example.com`;
      if (schema.format === 'date-time') return new Date(Date.now() + rng.int(60, 86_400) * 1_000).toISOString();
      const text = `fuzz ${key} ${rng.int(0, 1e6)}`;
      return text.slice(0, schema.maxLength ?? text.length).padEnd(schema.minLength ?? 0, 'x');
    }
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
      return Math.min(min + rng.int(0, 5), schema.maximum ?? Number.MAX_SAFE_INTEGER);
    }
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return randomJson(rng, 1);
  }
}

/** Every property path of an object schema (nested objects included), with its schema. */
export function schemaPaths(schema: JsonSchema, prefix: string[] = []): { path: string[]; schema: JsonSchema }[] {
  const out: { path: string[]; schema: JsonSchema }[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    out.push({ path: [...prefix, name], schema: property });
    const inner = property.anyOf?.find((s) => s.type === 'object') ?? property;
    if (inner.type === 'object') out.push(...schemaPaths(inner, [...prefix, name]));
  }
  return out;
}

const typeOf = (schema: JsonSchema): string | undefined =>
  schema.anyOf ? typeOf(schema.anyOf.find((s) => s.type !== 'null') ?? {}) : Array.isArray(schema.type) ? schema.type[0] : schema.type ?? (schema.const !== undefined ? typeof schema.const : undefined);

/** A wrong value for a field of this schema: wrong type, boundary, overlong, garbage. */
function wrongValue(schema: JsonSchema, rng: Rng): unknown {
  const type = typeOf(schema);
  const generic = () => rng.pick<() => unknown>([() => randomJson(rng, 2), () => null, () => [], () => ({}), () => rng.pick(NASTY_NUMBERS), () => garbageString(rng)])();
  if (rng.chance(0.3)) return generic();
  if (type === 'string') {
    const max = schema.maxLength ?? 1_000;
    return rng.pick<() => unknown>([
      () => '',
      () => '   \n\t ',
      () => 'x'.repeat(max),
      () => 'x'.repeat(max + 1),
      () => '😀'.repeat(max),
      () => 'y'.repeat(rng.pick([10_000, 20_001, 60_000])),
      () => garbageString(rng, rng.int(1, 40)),
      () => `a\u0000b`,
      () => rng.int(-5, 5),
      () => [garbageString(rng)],
      () => ({ toString: 'x' }),
      () => 'not-an-email@',
      () => '2024-13-45T99:99:99Z',
      () => '1970-01-01T00:00:00Z',
      () => '+275760-09-13T00:00:00.000Z',
    ])();
  }
  if (type === 'integer' || type === 'number') {
    return rng.pick<() => unknown>([
      () => rng.pick(NASTY_NUMBERS),
      () => (schema.maximum ?? 0) + 1,
      () => schema.maximum ?? 0,
      () => (schema.minimum ?? schema.exclusiveMinimum ?? 0) - 1,
      () => String(rng.int(0, 10)),
      () => rng.chance(0.5),
      () => ({ valueOf: 3 }),
    ])();
  }
  if (type === 'boolean') return rng.pick(['true', 'false', 0, 1, null, 'yes', []]);
  if (type === 'array') {
    return rng.pick<() => unknown>([
      () => Array.from({ length: (schema.maxItems ?? 10) + 1 }, (_, i) => `id-${i}`),
      () => [null, 1, {}],
      () => 'not-an-array',
      () => ({ 0: 'a', length: 1 }),
      () => Array.from({ length: 1_000 }, () => 'x'),
    ])();
  }
  if (type === 'object') return rng.pick<() => unknown>([() => 'x', () => [], () => ({ url: 7 }), () => deeplyNested(50, false)])();
  return generic();
}

const clone = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

function setAt(target: Record<string, unknown>, path: string[], value: unknown, remove: boolean): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const child = node[part];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) setOwn(node, part, {});
    node = node[part] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (remove) delete node[last];
  else setOwn(node, last, value);
}

/** A valid payload with exactly one thing wrong (or at least odd) about it. */
export function mutate(valid: unknown, schema: JsonSchema, rng: Rng): { payload: unknown; how: string } {
  const paths = schemaPaths(schema);
  const roll = rng.int(0, 9);
  if (roll === 0 || paths.length === 0) {
    const whole = rng.pick<[string, () => unknown]>([
      ['as array', () => [valid]],
      ['as JSON string', () => JSON.stringify(valid)],
      ['null', () => null],
      ['number', () => rng.pick(NASTY_NUMBERS)],
      ['empty string', () => ''],
      ['true', () => true],
      ['array of pairs', () => Object.entries(valid as object)],
    ]);
    return { payload: whole[1](), how: `whole payload ${whole[0]}` };
  }
  const payload = (clone(valid) ?? {}) as Record<string, unknown>;
  if (roll === 1) {
    const key = rng.pick([...POISON_KEYS, garbageString(rng, 3), 'extra', 'id', 'visitorId', 'agentId', 'role', 'seq', 'author']);
    setOwn(payload, key, key === '__proto__' || key === 'constructor' ? poisonValue() : randomJson(rng, 2));
    return { payload, how: `extra key ${JSON.stringify(key)}` };
  }
  const { path, schema: field } = rng.pick(paths);
  if (roll === 2) {
    setAt(payload, path, undefined, true);
    return { payload, how: `without ${path.join('.')}` };
  }
  const value = wrongValue(field, rng);
  setAt(payload, path, value, false);
  return { payload, how: `${path.join('.')} = ${describe(value)}` };
}

export function describe(value: unknown, max = 160): string {
  if (typeof value === 'function') return '[function]';
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}
