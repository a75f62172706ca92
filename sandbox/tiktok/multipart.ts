import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { TiktokError, CODES } from './tiktok-errors';

/** Uploads the stand-in accepts (TikTok's UI says a customer file must be under 1 GB; the sandbox keeps them in memory). */
export const MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

/** A multipart/form-data body parsed by Node's own Request (undici), refused past MAX_UPLOAD_BYTES. */
export async function readForm(req: IncomingMessage): Promise<FormData> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) throw new TiktokError(CODES.parameterError, 'Content-Type must be multipart/form-data');
  if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD_BYTES) {
    req.resume();
    throw new TiktokError(CODES.fileInvalid, `The file is larger than the sandbox accepts (${MAX_UPLOAD_BYTES} bytes)`);
  }
  let seen = 0;
  const limited = Readable.from(
    (async function* () {
      for await (const chunk of req) {
        seen += (chunk as Buffer).length;
        if (seen > MAX_UPLOAD_BYTES) throw new TiktokError(CODES.fileInvalid, `The file is larger than the sandbox accepts (${MAX_UPLOAD_BYTES} bytes)`);
        yield chunk as Buffer;
      }
    })(),
  );
  try {
    return await new Request('http://sandbox/', { method: 'POST', headers: { 'content-type': type }, body: Readable.toWeb(limited) as ReadableStream, duplex: 'half' }).formData();
  } catch (err) {
    if (err instanceof TiktokError) throw err;
    throw new TiktokError(CODES.parameterError, 'The multipart/form-data body cannot be read');
  }
}
