import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { AdminConsole } from './admin-console';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Admin · kefu' };

export default function AdminPage() {
  return <AdminConsole serverUrl={webEnv().publicServerUrl} />;
}
