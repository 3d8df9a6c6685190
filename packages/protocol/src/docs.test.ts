import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { agentCommands, agentServerEvents } from './agent.js';
import { PROTOCOL_DOC_MARKER, generatedPartOf, renderProtocolDoc, spliceProtocolDoc } from './docs.js';
import { errorCodes } from './errors.js';
import { limits } from './limits.js';
import { visitorCommands, visitorServerEvents } from './visitor.js';

const docPath = fileURLToPath(new URL('../../../docs/protocol.md', import.meta.url));
const doc = readFileSync(docPath, 'utf8');
const OUTDATED = 'docs/protocol.md is out of date with the protocol schemas: run npm run docs:protocol';

describe('docs/protocol.md', () => {
  it('has the hand-written contract above the marker line', () => {
    const prose = doc.slice(0, doc.indexOf(PROTOCOL_DOC_MARKER));
    expect(doc).toContain(PROTOCOL_DOC_MARKER);
    for (const section of ['## Transport', '## Conventions', '## Ordering, delivery and idempotency', '## Visitor namespace', '## Agent namespace', '## HTTP', '## First start']) {
      expect(prose).toContain(section);
    }
  });

  it('below the marker is exactly what renderProtocolDoc() renders from the schemas', () => {
    const generated = generatedPartOf(doc);
    if (generated !== renderProtocolDoc()) throw new Error(OUTDATED);
    expect(spliceProtocolDoc(doc)).toBe(doc);
  });

  it('names every command, server event, error code and limit of both namespaces', () => {
    const generated = generatedPartOf(doc) ?? '';
    const names = [
      ...Object.keys(visitorCommands),
      ...Object.keys(visitorServerEvents),
      ...Object.keys(agentCommands),
      ...Object.keys(agentServerEvents),
      ...errorCodes,
      ...Object.keys(limits),
    ];
    const missing = names.filter((name) => !generated.includes(`\`${name}\``));
    if (missing.length > 0) throw new Error(`${OUTDATED} (missing: ${missing.join(', ')})`);
    // Each command and event has its own section in its namespace's part.
    const [visitorPart, agentPart] = generated.split('### Agent namespace');
    for (const name of [...Object.keys(visitorCommands), ...Object.keys(visitorServerEvents)]) expect(visitorPart).toContain(`##### \`${name}\``);
    for (const name of [...Object.keys(agentCommands), ...Object.keys(agentServerEvents)]) expect(agentPart).toContain(`##### \`${name}\``);
  });
});

describe('renderProtocolDoc', () => {
  it('documents payload fields with their type, whether required, and their limits', () => {
    const text = renderProtocolDoc();
    expect(text).toContain(`| \`clientMsgId\` | string | yes | 1–${limits.clientMsgIdLength} chars |`);
    expect(text).toContain(`| \`body\` | string | yes | ≤ ${limits.bodyRawMax} chars |`);
    expect(text).toContain(`| \`attachmentIds\` | string[] | no | ≤ ${limits.attachmentsPerMessage} items; each 1–${limits.idLength} chars |`);
    expect(text).toContain("| `view` | `'mine'` \\| `'unassigned'` \\| `'all'` \\| `'resolved'` | yes |  |");
    expect(text).toContain('| `rating` | `1` \\| `2` \\| `3` \\| `4` \\| `5` | yes |  |');
    expect(text).toContain('| `snoozeUntil` | string | no | ISO 8601 date-time |');
    expect(text).toContain('| `page.url` | string | yes |');
    // Ack data and events link the shared shapes, which are documented once.
    expect(text).toContain('| `message` | [`Message`](#message) | yes |  |');
    expect(text).toContain('#### Message\n');
  });

  it('refuses a document without the marker line', () => {
    expect(() => spliceProtocolDoc('# no marker here\n')).toThrow(/marker/);
  });
});
