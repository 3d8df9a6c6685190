import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { t } from '../../lib/i18n';
import { requestLang } from '../../lib/request-lang';
import { I18nProvider } from '../../lib/use-i18n';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';
export async function generateMetadata(): Promise<Metadata> {
  return { title: t(await requestLang())('login.title') };
}

export default async function LoginPage() {
  return (
    <I18nProvider initialLang={await requestLang()}>
      <LoginForm serverUrl={webEnv().publicServerUrl} />
    </I18nProvider>
  );
}
