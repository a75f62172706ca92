import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { requireS3Uri } from '../../storage/s3-uri';

/** The bytes of the object an s3:// URI names. */
export async function objectBytes(s3: S3Client, uri: string): Promise<Buffer> {
  const { bucket, key } = requireS3Uri(uri);
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

export const objectText = async (s3: S3Client, uri: string): Promise<string> => (await objectBytes(s3, uri)).toString('utf8');
