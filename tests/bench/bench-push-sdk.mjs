// bench-push-sdk.mjs: the reference for bench-push.py: uploads FILE as KEY with the AWS SDK
// for JavaScript's @aws-sdk/lib-storage Upload (the same part size and parts in flight as
// ShareSync) and prints the seconds it took as JSON.
//
// Usage: node bench-push-sdk.mjs ENDPOINT BUCKET KEY FILE PART_SIZE PARALLEL
import { createReadStream } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

const [endpoint, bucket, key, file, partSize, parallel] = process.argv.slice(2);

const client = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  // s3rver knows no flexible checksums; ShareSync sends none either.
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

const started = process.hrtime.bigint();
const upload = new Upload({
  client,
  params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
  partSize: Number(partSize),
  queueSize: Number(parallel),
});
await upload.done();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(JSON.stringify({ seconds }));
