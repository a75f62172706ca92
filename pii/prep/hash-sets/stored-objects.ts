import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseLocation, readBytes, writeObject, type WrittenObject } from '../../../storage/data-location';
import { deleteObjects, deleteUnder } from '../../../storage/s3-objects';
import { isS3Uri } from '../../../storage/s3-uri';
import { PrepInputError } from '../read/input-errors';

/* Reading and writing the hash sets' objects, in S3 or local (for `npm run prep` and the tests), through storage/. */

/** The object's lines, in order, without their line ends; blank lines are left out. */
export async function* linesOf(uri: string, s3?: S3Client): AsyncGenerator<string> {
  const lines = createInterface({ input: await readBytes(parseLocation(uri), s3), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') yield line;
}

/** The lines of several objects, one after the other. */
export async function* linesOfAll(uris: string[], s3?: S3Client): AsyncGenerator<string> {
  for (const uri of uris) yield* linesOf(uri, s3);
}

export async function readJson(uri: string, s3?: S3Client): Promise<unknown> {
  let text = '';
  for await (const chunk of await readBytes(parseLocation(uri), s3)) text += String(chunk);
  return JSON.parse(text) as unknown;
}

/** undefined when there is no such object. */
export async function readJsonIfAny(uri: string, s3?: S3Client): Promise<unknown> {
  try {
    return await readJson(uri, s3);
  } catch (error) {
    if (error instanceof PrepInputError) return undefined;
    throw error;
  }
}

export async function writeJson(uri: string, value: unknown, s3?: S3Client): Promise<WrittenObject> {
  const writer = await writeObject(parseLocation(uri), s3, 'application/json');
  await writer.write(`${JSON.stringify(value, null, 2)}\n`);
  return writer.finish();
}

export async function removeObjects(uris: string[], s3?: S3Client): Promise<void> {
  const inS3 = uris.filter(isS3Uri);
  if (inS3.length > 0) await deleteObjects(s3!, inS3);
  await Promise.all(uris.filter((uri) => !isS3Uri(uri)).map((path) => rm(path, { force: true })));
}

export async function removeUnder(prefix: string, s3?: S3Client): Promise<void> {
  if (isS3Uri(prefix)) await deleteUnder(s3!, prefix);
  else await rm(prefix, { recursive: true, force: true });
}
