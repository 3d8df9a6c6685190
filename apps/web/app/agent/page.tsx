import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { Desk } from './desk';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Inbox · kefu' };

export default function AgentPage() {
  return <Desk serverUrl={webEnv().publicServerUrl} />;
}
