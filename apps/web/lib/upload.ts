import type { Attachment } from '@kefu/protocol';

/** What the server accepts (as the widget): images show inline, PDFs as links. */
export const acceptedTypes = 'image/png,image/jpeg,image/gif,image/webp,application/pdf';

/** POST /api/uploads as multipart with the agent's token; the error is the server's message. */
export async function uploadAttachment(serverUrl: string, token: string, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append('file', file);
  const response = await fetch(new URL('/api/uploads', serverUrl), { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const body = (await response.json().catch(() => null)) as { attachment?: Attachment; error?: { message?: string } } | null;
  if (response.status === 201 && body?.attachment) return body.attachment;
  throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
}
