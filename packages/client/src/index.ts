export { KefuClientError, isErrorCode } from './errors.js';
export { newClientMsgId } from './ids.js';
export type { ClientOptions, SendOptions } from './options.js';
export type { RequestOptions } from './request.js';
export type { MessageListener } from './message-stream.js';
export { BaseClient, type CommandMap } from './base-client.js';
export {
  VisitorClient,
  connectVisitor,
  type VisitorClientOptions,
  type VisitorCommands,
  type VisitorIdentity,
  type VisitorSendInput,
  type VisitorSendResult,
  type VisitorSocket,
} from './visitor-client.js';
export {
  AgentClient,
  connectAgent,
  type AgentClientOptions,
  type AgentCommands,
  type AgentOpenResult,
  type AgentSendInput,
  type AgentSendResult,
  type AgentSocket,
  type AgentWhisperInput,
  type AgentWhisperResult,
} from './agent-client.js';
