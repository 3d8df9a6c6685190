import { z } from 'zod';

/**
 * The web app's settings, read at request time (not baked in at build time), so one build serves
 * any deployment. Nothing else in the web app reads process.env.
 */
const EnvSchema = z.object({
  KEFU_PUBLIC_SERVER_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s]+\/?$/, 'KEFU_PUBLIC_SERVER_URL must be the server origin browsers use, e.g. https://chat-api.example.com')
    .default('http://localhost:3001'),
  KEFU_DEMO_INBOX: z.string().min(1).max(100).default('demo'),
});

export type WebEnv = { publicServerUrl: string; demoInbox: string };

export function webEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  const set = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvSchema.safeParse(set);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`kefu web cannot start, the configuration is invalid:\n${lines.join('\n')}`);
  }
  return { publicServerUrl: parsed.data.KEFU_PUBLIC_SERVER_URL.replace(/\/$/, ''), demoInbox: parsed.data.KEFU_DEMO_INBOX };
}
