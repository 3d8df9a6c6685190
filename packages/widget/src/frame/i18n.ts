import { pickLang as pickBrowserLang, translator as coreTranslator, type Entry, type Lang } from '@kefu/core';

/**
 * The widget's two languages (the entry format and the translator are shared with the dashboard in
 * @kefu/core). Each entry is a whole sentence with {placeholders}; plural forms follow Intl.PluralRules.
 */
export type { Lang };

const en = {
  online: 'Online',
  away: 'Away',
  close: 'Close chat',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  unreachable: 'Cannot reach the chat right now. We keep trying.',
  loadEarlier: 'Load earlier messages',
  message: 'Message',
  placeholder: 'Type your message…',
  send: 'Send',
  emoji: 'Emoji',
  attach: 'Attach a file',
  removeAttachment: 'Remove {name}',
  uploading: 'Uploading {name}: {percent}%',
  uploadFailed: 'Could not upload {name}: {reason}',
  counter: '{count} / {max}',
  tooLong: 'Your message is {over} characters too long.',
  sending: 'Sending…',
  notSent: 'Not sent yet. It will be sent when the connection is back.',
  failed: 'Not sent.',
  retry: 'Retry',
  seen: 'Seen',
  you: 'You',
  today: 'Today',
  yesterday: 'Yesterday',
  typing: '{name} is typing…',
  someoneTyping: 'Someone is typing…',
  assigned: 'You are chatting with {name}',
  queuePosition: "You're number {position} in the queue.",
  waitMinutes: { one: 'Estimated wait: about {count} minute.', other: 'Estimated wait: about {count} minutes.' },
  waitSoon: 'Estimated wait: less than a minute.',
  waitUnknown: 'We will be with you as soon as someone is available.',
  livePreview: 'Our team can see what you type before you send it.',
  awayTitle: "We're away right now",
  awayText: 'Leave us a message and your email, and we will get back to you.',
  name: 'Name',
  email: 'Email',
  leaveMessage: 'Send message',
  awayThanks: 'Thanks! We got your message and will reply as soon as we are back.',
  awayInProgress: "We're away right now, but we will answer here as soon as we are back.",
  resolved: 'This conversation has been closed.',
  newConversation: 'Write a message to start a new conversation.',
  csatQuestion: 'How would you rate this conversation?',
  csatStar: { one: '{count} star', other: '{count} stars' },
  csatComment: 'Tell us more (optional)',
  csatSubmit: 'Send rating',
  csatThanks: 'Thank you for your feedback!',
  newMessages: { one: '{count} new message', other: '{count} new messages' },
  file: 'File: {name}',
  image: 'Image: {name}',
} satisfies Record<string, Entry>;

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, Entry> = {
  online: '在线',
  away: '离开',
  close: '关闭聊天',
  connecting: '正在连接…',
  reconnecting: '正在重新连接…',
  unreachable: '暂时无法连接，我们会继续尝试。',
  loadEarlier: '加载更早的消息',
  message: '消息',
  placeholder: '请输入消息…',
  send: '发送',
  emoji: '表情',
  attach: '添加附件',
  removeAttachment: '移除 {name}',
  uploading: '正在上传 {name}：{percent}%',
  uploadFailed: '无法上传 {name}：{reason}',
  counter: '{count} / {max}',
  tooLong: '消息超出了 {over} 个字。',
  sending: '发送中…',
  notSent: '尚未发送，连接恢复后将自动发送。',
  failed: '发送失败。',
  retry: '重试',
  seen: '已读',
  you: '我',
  today: '今天',
  yesterday: '昨天',
  typing: '{name} 正在输入…',
  someoneTyping: '对方正在输入…',
  assigned: '{name} 正在为您服务',
  queuePosition: '您前面还有 {position} 位，请稍候。',
  waitMinutes: { one: '预计等待约 {count} 分钟。', other: '预计等待约 {count} 分钟。' },
  waitSoon: '预计等待不到一分钟。',
  waitUnknown: '客服空闲后会立即为您服务。',
  livePreview: '客服可以在您发送之前看到您正在输入的内容。',
  awayTitle: '我们暂时不在线',
  awayText: '请留下您的留言和邮箱，我们会尽快回复您。',
  name: '姓名',
  email: '邮箱',
  leaveMessage: '提交留言',
  awayThanks: '谢谢！我们已收到您的留言，上线后会尽快回复。',
  awayInProgress: '我们暂时不在线，上线后会在这里回复您。',
  resolved: '本次会话已结束。',
  newConversation: '发送消息即可开始新的会话。',
  csatQuestion: '您对本次服务满意吗？',
  csatStar: { one: '{count} 星', other: '{count} 星' },
  csatComment: '其他意见（选填）',
  csatSubmit: '提交评价',
  csatThanks: '感谢您的评价！',
  newMessages: { one: '{count} 条新消息', other: '{count} 条新消息' },
  file: '文件：{name}',
  image: '图片：{name}',
};

const dictionaries: Record<Lang, Record<MessageKey, Entry>> = { en, 'zh-CN': zh };

/** The inbox's language when it has one, else the first of the browser's languages we speak. */
export function pickLang(inboxLang: Lang | null | undefined, browserLangs: readonly string[]): Lang {
  return inboxLang ?? pickBrowserLang(browserLangs);
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  return coreTranslator(lang, dictionaries[lang]);
}
