/** Hard limits of the wire protocol. Inbox settings may lower some of them, never raise them. */
export const limits = {
  idLength: 100,
  clientMsgIdLength: 100,
  /** Absolute cap on a message body; the inbox's maxMessageLength (default below) applies first. */
  bodyHardMax: 20_000,
  /**
   * What a body may hold before trimming, in UTF-16 units: room for bodyHardMax characters of emoji
   * (two units each) plus surrounding whitespace, so such messages get too_large, not bad_request.
   */
  bodyRawMax: 80_000,
  /** Bytes in one Socket.IO frame: the largest valid command (a raw-max body of 4-byte characters) fits. */
  frameBytes: 512 * 1024,
  defaultMaxMessageLength: 5_000,
  attachmentsPerMessage: 10,
  syncPageSize: 200,
  historyDefaultLimit: 50,
  historyMaxLimit: 200,
  listDefaultLimit: 50,
  listMaxLimit: 200,
  nameLength: 100,
  emailLength: 254,
  urlLength: 2_048,
  titleLength: 500,
  commentLength: 2_000,
  draftLength: 5_000,
  shortcutLength: 50,
  passwordMin: 8,
  passwordMax: 200,
  capacityMax: 100,
  /** Characters of the last message's body in a `conversation:activity` row. */
  activityPreviewLength: 140,
  /** How long the server gathers list updates of an inbox before one `conversation:activity` (ms). */
  activityWindowMs: 200,
  /** Rows in one `conversation:activity`: a window with more comes in parts, spread over the next window. */
  activityPartRows: 100,
  greetingLength: 500,
  originsPerInbox: 50,
  /** Viewers named in one `conversation:viewers` event (the rest are left out). */
  viewersListed: 50,
  searchQueryLength: 200,
  searchDefaultLimit: 20,
  searchMaxLimit: 100,
  /** Characters of a matching message's body in a search result. */
  searchSnippetLength: 200,
} as const;
