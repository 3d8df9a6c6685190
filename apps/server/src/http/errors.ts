import { httpStatusOf, type ErrorCode } from '@kefu/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBodyOf } from '../error-body.js';
import type { Logger } from '../logger.js';

export const sendError = (reply: FastifyReply, code: ErrorCode, message: string) =>
  reply.status(httpStatusOf[code]).send({ error: { code, message } });

/**
 * What Fastify rejects before any route runs (a malformed URL, a path parameter over its length cap)
 * would otherwise answer in Fastify's own shape and with a 414 no ErrorCode has: give it ours.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL') void sendError(reply, 'bad_request', 'malformed URL');
  else if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void sendError(reply, 'bad_request', 'a path parameter is too long');
  else void sendError(reply, 'internal', 'internal error');
}

/** Fastify's own errors (bad JSON, body too large) and ours, all as `{ error: { code, message } }`. */
function codeOfFastifyError(error: { statusCode?: number; code?: string }): ErrorCode | null {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) return 'too_large';
  if (error.statusCode === 415) return 'bad_request';
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return 'bad_request';
  return null;
}

export function installErrorHandling(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((error, _request, reply) => {
    // A KefuError's own `code` is an ErrorCode, never one of Fastify's, and it has no statusCode.
    const code = codeOfFastifyError(error as { statusCode?: number; code?: string });
    if (code) return sendError(reply, code, code === 'too_large' ? 'request too large' : (error as Error).message);
    const body = errorBodyOf(error, log, 'request');
    return sendError(reply, body.code, body.message);
  });
  app.setNotFoundHandler((_request, reply) => sendError(reply, 'not_found', 'no such route'));
}
