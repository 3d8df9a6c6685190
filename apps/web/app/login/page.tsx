import type { Metadata } from 'next';
import { webEnv } from '../../lib/env';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in · kefu' };

export default function LoginPage() {
  return <LoginForm serverUrl={webEnv().publicServerUrl} />;
}
