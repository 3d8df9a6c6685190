import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { t } from '../../lib/i18n';
import { requestLang } from '../../lib/request-lang';
import { I18nProvider } from '../../lib/use-i18n';
import { Desk } from './desk';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: t(await requestLang())('desk.title') };
}

export default async function AgentPage() {
  return (
    <I18nProvider initialLang={await requestLang()}>
      <Desk serverUrl={webEnv().publicServerUrl} />
    </I18nProvider>
  );
}
