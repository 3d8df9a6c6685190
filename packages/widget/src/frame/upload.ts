import type { Attachment } from '@kefu/protocol';

export const acceptedTypes = 'image/png,image/jpeg,image/gif,image/webp,application/pdf';

/**
 * Uploads one file to the desk (POST /api/uploads with the visitor token). XMLHttpRequest rather than
 * fetch, because only it reports upload progress.
 */
export function uploadFile(serverUrl: string, token: string, file: File, onProgress: (percent: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', new URL('/api/uploads', serverUrl).href);
    request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((event.loaded / event.total) * 100));
    request.onerror = () => reject(new Error('network error'));
    request.onload = () => {
      const body = parseJson(request.responseText) as { attachment?: Attachment; error?: { message?: string } } | null;
      if (request.status === 201 && body?.attachment) resolve(body.attachment);
      else reject(new Error(body?.error?.message ?? `HTTP ${request.status}`));
    };
    const form = new FormData();
    form.append('file', file);
    request.send(form);
  });
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/**
 * Attachment URLs are paths on the desk's server. Anything that resolves elsewhere (a `javascript:`
 * URL, another site) gets no link: the unsent messages' attachments come from the outbox, which the
 * shop's page keeps and could have written.
 */
export function attachmentHref(serverUrl: string, attachment: Attachment): string | undefined {
  try {
    const url = new URL(attachment.url, serverUrl);
    return url.origin === new URL(serverUrl).origin ? url.href : undefined;
  } catch {
    return undefined;
  }
}
