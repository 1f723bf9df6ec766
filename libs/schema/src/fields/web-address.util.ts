import type { ErrorData, FieldError } from '@hivebase/contracts';
import { eachError, invalidDomainError, mustBeBlankError } from './field-errors.util';

// Email, URL and domain checks after the ones PocketBase uses (ozzo-validation's `is.Domain`,
// `is.EmailFormat` and `is.URL`, which wrap govalidator). They are written as linear scans
// rather than ports of govalidator's nested regular expressions, which backtrack badly in JS.

// ozzo's domain pattern: dot-separated labels of letters, digits and inner hyphens, ending in
// an alphabetic TLD (or an `xn--` one, with the odd leading space the original has).
const DOMAIN_PATTERN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+(?:[a-zA-Z]{1,63}| xn--[a-z0-9]{1,59})$/;

/** ozzo-validation's `is.Domain`. */
export function isDomain(value: string): boolean {
  return value.length <= 255 && DOMAIN_PATTERN.test(value);
}

// govalidator's email pattern accepts these non-ASCII ranges wherever it accepts letters.
const isWideChar = (code: number): boolean =>
  (code >= 0x00a0 && code <= 0xd7ff) || (code >= 0xf900 && code <= 0xfdcf) || (code >= 0xfdf0 && code <= 0xffef);
const isAsciiLetter = (char: string): boolean => /^[a-zA-Z]$/.test(char);
const isAsciiDigit = (char: string): boolean => /^[0-9]$/.test(char);

const ATOM_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

/** govalidator's IsEmail (what `is.EmailFormat` checks): no DNS look-up. */
export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0) {
    return false;
  }
  return isEmailLocalPart(value.slice(0, at)) && isEmailDomain(value.slice(at + 1));
}

function isEmailLocalPart(local: string): boolean {
  if (local.startsWith('"')) {
    return isQuotedLocalPart(local);
  }
  return local.split('.').every((atom) => atom !== '' && [...atom].every(isAtomChar));
}

function isAtomChar(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return isAsciiLetter(char) || isAsciiDigit(char) || ATOM_SPECIALS.includes(char) || isWideChar(code);
}

function isQuotedLocalPart(local: string): boolean {
  if (local.length < 2 || !local.endsWith('"')) {
    return false;
  }
  const inner = [...local.slice(1, -1)];
  for (let i = 0; i < inner.length; i++) {
    const char = inner[i];
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') {
      // quoted-pair: a backslash and any ASCII character but NUL and LF
      const escaped = (inner[i + 1] ?? '').codePointAt(0) ?? 0;
      if (escaped < 0x01 || escaped > 0x7f || escaped === 0x0a) {
        return false;
      }
      i++;
      continue;
    }
    const allowed =
      char === ' ' ||
      char === '\t' ||
      (code >= 0x01 && code <= 0x08) ||
      code === 0x0b ||
      code === 0x0c ||
      (code >= 0x0e && code <= 0x1f) ||
      code === 0x21 ||
      (code >= 0x23 && code <= 0x5b) ||
      (code >= 0x5d && code <= 0x7f) ||
      isWideChar(code);
    if (!allowed) {
      return false;
    }
  }
  return true;
}

/**
 * govalidator's email domain: `(label\.)+tld\.?`, where a label starts and ends with a letter or
 * digit and may hold `- . ~ _` inside, and the TLD starts and ends with a letter.
 */
function isEmailDomain(domain: string): boolean {
  const body = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  const chars = [...body];
  const isEdge = (char: string | undefined): boolean =>
    char !== undefined && (isAsciiLetter(char) || isAsciiDigit(char) || isWideChar(char.codePointAt(0) ?? 0));
  const isLetter = (char: string | undefined): boolean =>
    char !== undefined && (isAsciiLetter(char) || isWideChar(char.codePointAt(0) ?? 0));
  const isInner = (char: string): boolean => isEdge(char) || '-.~_'.includes(char);
  if (chars.length < 3 || !chars.every(isInner) || !isEdge(chars[0]) || !isLetter(chars[chars.length - 1])) {
    return false;
  }
  // Some dot must split the labels from the TLD: a label char before it, a TLD letter after.
  return chars.some((char, i) => char === '.' && i > 0 && isEdge(chars[i - 1]) && isLetter(chars[i + 1]));
}

const URL_SCHEMES = ['ftp', 'tcp', 'udp', 'ws', 'wss', 'http', 'https'];

export interface UrlCheck {
  valid: boolean;
  /** The host (with port) as Go's url.Parse reports it; "" when the URL has no scheme. */
  host: string;
}

/**
 * An approximation of govalidator's IsURL as PocketBase uses it: an optional known scheme,
 * optional user info, a host name or IP with an optional port, then a path, query or fragment
 * without whitespace. Like govalidator it accepts scheme-less values such as "example.com".
 */
export function checkUrl(value: string): UrlCheck {
  const invalid: UrlCheck = { valid: false, host: '' };
  const runeCount = [...value].length;
  if (runeCount <= 3 || runeCount >= 2083 || value.startsWith('.') || /\s/.test(value)) {
    return invalid;
  }
  let rest = value;
  let hasScheme = false;
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(value);
  if (schemeMatch) {
    if (!URL_SCHEMES.includes(schemeMatch[1])) {
      return invalid;
    }
    hasScheme = true;
    rest = value.slice(schemeMatch[0].length);
  } else if (!value.includes(':') && !value.includes('.')) {
    // Go parses a bare word as a path without a host, which govalidator refuses.
    return invalid;
  }
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  if (authority.includes('@') && authority.indexOf('@') === 0) {
    return invalid;
  }
  if (!isHostPort(hostPort)) {
    return invalid;
  }
  return { valid: true, host: hasScheme ? hostPort : '' };
}

function isHostPort(hostPort: string): boolean {
  let host = hostPort;
  const portMatch = /:(\d{1,5})$/.exec(hostPort);
  if (portMatch) {
    host = hostPort.slice(0, -portMatch[0].length);
  }
  if (host.startsWith('[')) {
    return /^\[[0-9a-fA-F:.]+\]$/.test(host) && host.includes(':');
  }
  if (host.endsWith('.')) {
    host = host.slice(0, -1);
  }
  if (host === '' || host.startsWith('.') || host.includes(':')) {
    return false;
  }
  if (/^[\d.]+$/.test(host)) {
    return isIPv4(host);
  }
  // Labels of letters (any script), digits, `-` and `_`; the last may not be all digits.
  const labels = host.split('.');
  return labels.every((label) => /^[\p{L}\p{N}_-]+$/u.test(label) && !label.startsWith('-') && !label.endsWith('-'));
}

function isIPv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255);
}

/**
 * The `exceptDomains`/`onlyDomains` rules email and url fields share: at most one of the two,
 * and every entry a valid domain.
 */
export function validateDomainLists(field: {
  exceptDomains: string[] | null;
  onlyDomains: string[] | null;
}): Record<'exceptDomains' | 'onlyDomains', FieldError | ErrorData | null> {
  const checkList = (list: string[] | null, other: string[] | null): FieldError | ErrorData | null =>
    other && other.length > 0
      ? list && list.length > 0
        ? mustBeBlankError()
        : null
      : eachError(list, (domain) => (isDomain(domain) ? null : invalidDomainError()));
  return {
    exceptDomains: checkList(field.exceptDomains, field.onlyDomains),
    onlyDomains: checkList(field.onlyDomains, field.exceptDomains),
  };
}
