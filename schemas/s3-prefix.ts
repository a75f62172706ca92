import { z } from 'zod';
import { S3_URI_PATTERN } from '../storage/s3-uri';

/** An `s3://bucket/prefix/` config field: where a workflow reads or writes a set of objects. */
export const s3PrefixSchema = z.string().regex(S3_URI_PATTERN, 'must be an s3://bucket/prefix/ URI');
