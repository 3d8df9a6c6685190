import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { t } from '../../lib/i18n';
import { requestLang } from '../../lib/request-lang';
import { I18nProvider } from '../../lib/use-i18n';
import { AdminConsole } from './admin-console';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: t(await requestLang())('admin.title') };
}

export default async function AdminPage() {
  return (
    <I18nProvider initialLang={await requestLang()}>
      <AdminConsole serverUrl={webEnv().publicServerUrl} />
    </I18nProvider>
  );
}
