import { KefuError, VisitorAuthSchema, nulPath, type VisitorAuth } from '@kefu/protocol';
import {
  findInboxByKey,
  findVisitor,
  findVisitorByExternalId,
  insertVisitor,
  isUniqueViolation,
  originsOf,
  updateVisitorRow,
  type InboxRow,
  type VisitorRow,
} from '@kefu/store';
import { verifyIdentityHash } from '../auth/identity.js';
import type { AppContext } from '../context.js';
import { handshakeError } from './commands.js';
import type { VisitorSocket } from './namespaces.js';

/**
 * What a socket's handshake made for the session it opens: the visitor's token (sent once, in
 * `session`, and not kept with the socket), the inbox, and the visitor when the handshake created them
 * (who then has no conversation yet). Three reads fewer per shopper connect.
 */
export type Handshake = { visitorToken: string; inbox: InboxRow; createdVisitor?: VisitorRow | undefined };
const handshakes = new WeakMap<VisitorSocket, Handshake>();

/** What the socket's handshake made; given once, so a later session reads afresh. */
export function takeHandshake(socket: VisitorSocket): Handshake | undefined {
  const handshake = handshakes.get(socket);
  handshakes.delete(socket);
  return handshake;
}

/**
 * Authenticates a visitor socket: inbox key, allowed origin, then a verified identity, a valid
 * visitor token, or else a brand-new anonymous visitor. The connect_error message is the error code.
 */
export function visitorHandshake(ctx: AppContext) {
  return (socket: VisitorSocket, next: (error?: Error) => void) => {
    // A node that is shutting down sends newcomers elsewhere.
    if (ctx.lifecycle.isDraining()) return next(new Error('unavailable'));
    authenticate(ctx, socket)
      .then((data) => {
        socket.data = data;
        next();
      })
      .catch((error: unknown) => next(handshakeError(error, ctx.log, 'visitor')));
  };
}

async function authenticate(ctx: AppContext, socket: VisitorSocket) {
  const parsed = VisitorAuthSchema.safeParse(socket.handshake.auth);
  // A NUL character is no key, token or id of ours (and PostgreSQL would refuse to look it up).
  if (!parsed.success || nulPath(parsed.data) !== null) throw new KefuError('unauthorized', 'bad handshake');
  const auth = parsed.data;
  const inbox = await findInboxByKey(ctx.db.db, auth.inboxKey);
  if (!inbox) throw new KefuError('unauthorized', 'unknown inbox');
  checkOrigin(inbox, embeddingOrigin(ctx, socket.handshake.headers.origin, auth.hostOrigin));
  const { visitorId, created } = await resolveVisitor(ctx, inbox, auth, socket.handshake.headers['user-agent'] ?? null, ctx.clientIp(socket.request));
  handshakes.set(socket, { visitorToken: await ctx.tokens.signVisitor({ visitorId, inboxId: inbox.id }), inbox, createdVisitor: created });
  return { visitorId, inboxId: inbox.id };
}

/**
 * The origin the inbox's allow-list applies to. The widget chats from an iframe served by kefu's own
 * web app, so its sockets carry the web app's Origin; the page around the iframe is then named by
 * `hostOrigin`, which the iframe reads from the browser (location.ancestorOrigins).
 */
function embeddingOrigin(ctx: AppContext, origin: string | undefined, hostOrigin: string | undefined): string | undefined {
  return origin && ctx.config.webOrigins.includes(origin) ? hostOrigin : origin;
}

function checkOrigin(inbox: InboxRow, origin: string | undefined): void {
  const allowed = originsOf(inbox);
  if (allowed.length > 0 && (!origin || !allowed.includes(origin))) throw new KefuError('forbidden', 'origin not allowed');
}

/** The visitor's id, and their row when they were created just now. */
async function resolveVisitor(
  ctx: AppContext,
  inbox: InboxRow,
  auth: VisitorAuth,
  userAgent: string | null,
  clientIp: string,
): Promise<{ visitorId: string; created?: VisitorRow }> {
  if (auth.identity) return { visitorId: await identifiedVisitor(ctx, inbox, auth.identity, userAgent) };
  const claims = auth.visitorToken ? await ctx.tokens.verifyVisitor(auth.visitorToken) : null;
  if (claims && claims.inboxId === inbox.id) {
    const known = await findVisitor(ctx.db.db, claims.visitorId);
    // An identified visitor can be resumed only with a fresh identity proof, not with an old anonymous token.
    if (known && known.external_id === null) return { visitorId: known.id };
  }
  // Each anonymous handshake would otherwise create a row: cap new ones per client address.
  if (!(await ctx.newVisitorLimiter.consume(clientIp))) throw new KefuError('rate_limited', 'too many new visitors from this address');
  const created = await ctx.db.inTurn((tx) => insertVisitor(tx, { inboxId: inbox.id, userAgent: userAgent?.slice(0, 500) ?? null }));
  return { visitorId: created.id, created };
}

async function identifiedVisitor(ctx: AppContext, inbox: InboxRow, identity: NonNullable<VisitorAuth['identity']>, userAgent: string | null) {
  if (!inbox.identity_secret || !verifyIdentityHash(inbox.identity_secret, identity.externalId, identity.hash)) {
    throw new KefuError('unauthorized', 'identity could not be verified');
  }
  const profile = { name: identity.name ?? null, email: identity.email ?? null };
  const known = await findVisitorByExternalId(ctx.db.db, inbox.id, identity.externalId);
  if (known) {
    await ctx.db.inTurn((tx) => updateVisitorRow(tx, known.id, {
      ...(identity.name ? { name: identity.name } : {}),
      ...(identity.email ? { email: identity.email } : {}),
    }));
    return known.id;
  }
  try {
    return (await ctx.db.inTurn((tx) => insertVisitor(tx, { inboxId: inbox.id, externalId: identity.externalId, ...profile, userAgent }))).id;
  } catch (error) {
    // Two devices of one customer connecting at once: the second finds the first's row.
    const raced = isUniqueViolation(error) ? await findVisitorByExternalId(ctx.db.db, inbox.id, identity.externalId) : undefined;
    if (raced) return raced.id;
    throw error;
  }
}
