// Field `pattern` options are Go (RE2) regular expressions. JavaScript's syntax is close; this
// translates the common differences and rejects what RE2 rejects (lookarounds,
// backreferences), so a pattern valid here behaves as it would in PocketBase.

export type CompiledPattern = { ok: true; regexp: RegExp } | { ok: false; message: string };

// RE2's ASCII classes, usable inside brackets (`[[:alpha:]]`); JavaScript has no such syntax.
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const cache = new Map<string, CompiledPattern>();
const CACHE_LIMIT = 1000;

/** Compiles a Go regular expression into a JavaScript RegExp (unanchored, as Go's MatchString). */
export function compileGoRegexp(pattern: string): CompiledPattern {
  const cached = cache.get(pattern);
  if (cached) {
    return cached;
  }
  const compiled = compile(pattern);
  if (cache.size < CACHE_LIMIT) {
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** Whether `value` matches `pattern`; an invalid pattern matches nothing (as Go's ignored error). */
export function matchesGoRegexp(pattern: string, value: string): boolean {
  const compiled = compileGoRegexp(pattern);
  return compiled.ok && compiled.regexp.test(value);
}

function compile(pattern: string): CompiledPattern {
  let source = pattern;
  let flags = '';
  const leadingFlags = /^\(\?([imsU]+)\)/.exec(source);
  if (leadingFlags) {
    if (leadingFlags[1].includes('U')) {
      return unsupported('(?U)');
    }
    flags = [...new Set(leadingFlags[1])].join('');
    source = source.slice(leadingFlags[0].length);
  }

  let translated = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') {
      const next = source[i + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) {
        return { ok: false, message: `error parsing regexp: invalid escape sequence: \`\\${next}\`` };
      }
      if (!inClass && next === 'z') {
        translated += '$';
      } else if (!inClass && next === 'A') {
        translated += '^';
      } else {
        translated += char + next;
      }
      i++;
      continue;
    }
    if (inClass) {
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(source.slice(i));
      if (posix) {
        if (!Object.hasOwn(POSIX_CLASSES, posix[2]) || posix[1] === '^') {
          return unsupported(posix[0]);
        }
        translated += POSIX_CLASSES[posix[2]];
        i += posix[0].length - 1;
        continue;
      }
      inClass = char !== ']';
      translated += char;
      continue;
    }
    if (char === '[') {
      inClass = true;
      // A `]` right after `[` or `[^` is a literal in both syntaxes.
      const prefix = source.startsWith('[^', i) ? '[^' : '[';
      translated += prefix;
      i += prefix.length - 1;
      if (source[i + 1] === ']') {
        translated += '\\]';
        i++;
      }
      continue;
    }
    if (char === '(' && source[i + 1] === '?') {
      const rest = source.slice(i, i + 4);
      if (rest.startsWith('(?=') || rest.startsWith('(?!') || rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
        return unsupported(rest.startsWith('(?<') ? rest : rest.slice(0, 3));
      }
      if (rest.startsWith('(?P<')) {
        translated += '(?<';
        i += 3;
        continue;
      }
    }
    translated += char;
  }

  for (const candidateFlags of [`${flags}u`, flags]) {
    try {
      return { ok: true, regexp: new RegExp(translated, candidateFlags) };
    } catch (error) {
      if (candidateFlags === flags) {
        return { ok: false, message: `error parsing regexp: ${(error as Error).message}` };
      }
    }
  }
  return unsupported(pattern);
}

function unsupported(syntax: string): CompiledPattern {
  return { ok: false, message: `error parsing regexp: invalid or unsupported Perl syntax: \`${syntax}\`` };
}
