import { randomBytes } from 'node:crypto';

export interface FormFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

export interface EncodedForm {
  /** `multipart/form-data; boundary=…`, for the Content-Type header. */
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * Encodes text fields, in order, then one file as multipart/form-data (RFC 7578), escaped as the WHATWG FormData
 * encoder that `fetch` used before does it: line breaks in names and values become CRLF, and `"`, CR and LF in names
 * are percent-encoded. The boundary is random and occurs in no part, so no field or file content (the file holds
 * what the submission wrote) can end a part early or add a field.
 */
export function encodeMultipartForm(
  fields: Readonly<Record<string, string>>,
  file: FormFile,
  newBoundary: () => string = randomBoundary,
): EncodedForm {
  const fieldParts = Object.entries(fields).map(
    ([name, value]) => `Content-Disposition: form-data; name="${escapeName(name)}"\r\n\r\n${crlf(value)}`,
  );
  const fileHead =
    `Content-Disposition: form-data; name="${escapeName(file.field)}"; filename="${escapeName(file.filename)}"\r\n` +
    `Content-Type: ${file.contentType}\r\n\r\n`;
  const parts: Buffer[] = [...[...fieldParts, fileHead].map((text) => Buffer.from(text, 'utf8')), file.content];
  let boundary: string;
  do boundary = newBoundary();
  while (parts.some((part) => part.includes(boundary)));
  const body = Buffer.concat([
    ...fieldParts.map((text) => Buffer.from(`--${boundary}\r\n${text}\r\n`, 'utf8')),
    Buffer.from(`--${boundary}\r\n${fileHead}`, 'utf8'),
    file.content,
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}

const randomBoundary = (): string => `----airlock-form-${randomBytes(16).toString('hex')}`;
const crlf = (text: string): string => text.replace(/\r?\n|\r/g, '\r\n');
const escapeName = (name: string): string =>
  crlf(name).replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/"/g, '%22');
