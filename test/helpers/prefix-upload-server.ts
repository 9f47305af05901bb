/**
 * prefix.dev's upload API on 127.0.0.1, as `rattler-build upload prefix` talks to it: a multipart
 * POST to `/api/v1/upload/<channel>` with the package as `file` (and `X-File-Name` /
 * `X-File-SHA256`), the Sigstore bundle as `attestation`, and a bearer token. It checks what a
 * real server would (the token, the digest of the bytes received) and keeps what it accepted.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

export interface Upload {
  channel: string;
  filename: string;
  sha256: string;
  attestation: string;
}

export interface PrefixUploadServer {
  url: string;
  uploads: Upload[];
  close(): Promise<void>;
}

export async function startPrefixUploadServer(token: string): Promise<PrefixUploadServer> {
  const uploads: Upload[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const match = /^\/api\/v1\/upload\/([^/]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match?.[1]) return void res.writeHead(404).end('not found');
      if (req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('bad token');
      const form = await new Response(Buffer.concat(chunks), {
        headers: { 'content-type': String(req.headers['content-type']) },
      }).formData();
      const file = form.get('file');
      if (!(file instanceof File)) return void res.writeHead(400).end('no file part');
      const sha256 = createHash('sha256')
        .update(Buffer.from(await file.arrayBuffer()))
        .digest('hex');
      if (sha256 !== req.headers['x-file-sha256']) return void res.writeHead(400).end('sha256 mismatch');
      const channel = decodeURIComponent(match[1]);
      if (uploads.some((u) => u.channel === channel && u.filename === file.name))
        return void res.writeHead(409).end('already exists');
      uploads.push({ channel, filename: file.name, sha256, attestation: String(form.get('attestation') ?? '') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, uploads, close: () => new Promise((r) => server.close(() => r())) };
}
