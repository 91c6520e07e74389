/**
 * Link signatures, seed tokens and presigned-URL credentials never reach a
 * log line; the logger runs this over every string it writes.
 */
const SIGNATURE_PATTERNS: RegExp[] = [
  // Query parameters, plain or percent-encoded (`sig%3D` inside a logged URL), wherever they stand.
  /((?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)(?:=|%3D))[^&\s"]*/gi,
  /(\/seed\/)[^/\s"]+/g,
  // A seed token anywhere (a mangled path like /seed//<token>/ puts it in another segment).
  /()[A-Za-z0-9_-]{1,32}\.\d{1,12}\.[A-Za-z0-9_-]{43}/g,
];

/** Removes link signatures and presigned-URL credentials from a string. */
export const redact = (text: string): string => SIGNATURE_PATTERNS.reduce((acc, re) => acc.replace(re, '$1[redacted]'), text);
