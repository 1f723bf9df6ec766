import { randomInt } from 'node:crypto';

// A random string generator for text fields' `autogeneratePattern`, after PocketBase's
// security.RandomStringByRegex: literals, character classes (`[a-z0-9]`, `\d`, `\w`, `\s`, `.`),
// groups, alternation and quantifiers. Anything else (lookarounds, backreferences, `\p{…}`) is
// rejected, so validateSettings can refuse a pattern before a record ever needs it.

type CodePointRange = readonly [number, number];

type PatternNode =
  | { kind: 'literal'; text: string }
  | { kind: 'class'; ranges: readonly CodePointRange[] }
  | { kind: 'concat'; items: PatternNode[] }
  | { kind: 'alternate'; options: PatternNode[] }
  | { kind: 'repeat'; node: PatternNode; min: number; max: number };

/** What PocketBase uses for an unbounded repeat (`*`, `+`, `{n,}`). */
const DEFAULT_MAX_REPEAT = 6;
/** Go's regexp parser refuses larger repeat counts. */
const MAX_REPEAT_COUNT = 1000;
const MAX_GENERATED_LENGTH = 100_000;

const DIGIT: CodePointRange[] = [[0x30, 0x39]];
const WORD: CodePointRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
const SPACE: CodePointRange[] = [
  [0x09, 0x0a],
  [0x0c, 0x0d],
  [0x20, 0x20],
];
// PocketBase draws `.` from letters and digits only.
const ANY_CHAR: CodePointRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x61, 0x7a],
];
// Negated classes are drawn from printable ASCII, so generated values stay readable.
const PRINTABLE_ASCII: CodePointRange = [0x20, 0x7e];

const POSIX_CLASSES: Record<string, CodePointRange[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  digit: DIGIT,
  lower: [[0x61, 0x7a]],
  upper: [[0x41, 0x5a]],
  word: WORD,
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

export class PatternGeneratorError extends Error {}

/**
 * Generates a random string matching `pattern` (e.g. `[a-z0-9]{15}` → "k3x0c9…"). Throws
 * PatternGeneratorError for a pattern outside the supported subset; check it first with
 * `checkGeneratorPattern`.
 */
export function generateFromPattern(pattern: string): string {
  const output: string[] = [];
  write(parsePattern(pattern), output);
  return output.join('');
}

/** The reason `pattern` cannot be generated from, or null when it can. */
export function checkGeneratorPattern(pattern: string): string | null {
  try {
    parsePattern(pattern);
    return null;
  } catch (error) {
    if (error instanceof PatternGeneratorError) {
      return error.message;
    }
    throw error;
  }
}

function write(node: PatternNode, output: string[]): void {
  switch (node.kind) {
    case 'literal':
      output.push(node.text);
      break;
    case 'class':
      output.push(String.fromCodePoint(randomCodePoint(node.ranges)));
      break;
    case 'concat':
      for (const item of node.items) {
        write(item, output);
      }
      break;
    case 'alternate':
      write(node.options[randomInt(node.options.length)], output);
      break;
    case 'repeat': {
      const max = node.max < 0 ? Math.max(DEFAULT_MAX_REPEAT, node.min) : node.max;
      // Inclusive of max (PocketBase's own generator never reaches it: an off-by-one there).
      const count = node.min + randomInt(max - node.min + 1);
      for (let i = 0; i < count; i++) {
        write(node.node, output);
      }
      break;
    }
  }
  if (output.length > MAX_GENERATED_LENGTH) {
    throw new PatternGeneratorError('the pattern generates values that are too long');
  }
}

function randomCodePoint(ranges: readonly CodePointRange[]): number {
  const total = ranges.reduce((sum, [low, high]) => sum + high - low + 1, 0);
  let pick = randomInt(total);
  for (const [low, high] of ranges) {
    const size = high - low + 1;
    if (pick < size) {
      return low + pick;
    }
    pick -= size;
  }
  return ranges[0][0];
}

function parsePattern(pattern: string): PatternNode {
  const parser = new PatternParser(Array.from(pattern));
  const node = parser.parseAlternate();
  if (!parser.atEnd()) {
    throw new PatternGeneratorError(`unexpected ): \`${pattern}\``);
  }
  return node;
}

class PatternParser {
  private position = 0;

  constructor(private readonly chars: string[]) {}

  atEnd(): boolean {
    return this.position >= this.chars.length;
  }

  parseAlternate(): PatternNode {
    const options = [this.parseConcat()];
    while (this.peek() === '|') {
      this.position++;
      options.push(this.parseConcat());
    }
    return options.length === 1 ? options[0] : { kind: 'alternate', options };
  }

  private parseConcat(): PatternNode {
    const items: PatternNode[] = [];
    while (!this.atEnd() && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.parseAtom();
      items.push(this.parseQuantifier(atom));
    }
    return items.length === 1 ? items[0] : { kind: 'concat', items };
  }

  private parseAtom(): PatternNode {
    const char = this.next();
    switch (char) {
      case '(':
        return this.parseGroup();
      case '[':
        return { kind: 'class', ranges: this.parseClass() };
      case '.':
        return { kind: 'class', ranges: ANY_CHAR };
      case '^':
      case '$':
        return { kind: 'literal', text: '' };
      case '\\':
        return this.parseEscape(false);
      case '*':
      case '+':
      case '?':
        throw new PatternGeneratorError(`missing argument to repetition operator: \`${char}\``);
      default:
        return { kind: 'literal', text: char };
    }
  }

  private parseGroup(): PatternNode {
    if (this.peek() === '?') {
      this.position++;
      if (this.peek() === ':') {
        this.position++;
      } else if (this.peek() === '<' || (this.peek() === 'P' && this.chars[this.position + 1] === '<')) {
        // Named groups generate like plain ones.
        const close = this.chars.indexOf('>', this.position);
        if (close < 0) {
          throw new PatternGeneratorError('invalid named capture');
        }
        this.position = close + 1;
      } else {
        throw new PatternGeneratorError('unsupported group syntax: `(?`');
      }
    }
    const body = this.parseAlternate();
    if (this.next() !== ')') {
      throw new PatternGeneratorError('missing closing )');
    }
    return body;
  }

  private parseQuantifier(atom: PatternNode): PatternNode {
    const char = this.peek();
    let min: number;
    let max: number;
    if (char === '*') {
      [min, max] = [0, -1];
    } else if (char === '+') {
      [min, max] = [1, -1];
    } else if (char === '?') {
      [min, max] = [0, 1];
    } else if (char === '{') {
      const bounds = this.readBraces();
      if (!bounds) {
        return atom;
      }
      [min, max] = bounds;
      this.position--; // readBraces consumed through `}`; the shared step below moves past it.
    } else {
      return atom;
    }
    this.position++;
    if (this.peek() === '?') {
      this.position++; // lazy quantifiers generate the same strings
    }
    if (['*', '+', '?'].includes(this.peek() ?? '') || (this.peek() === '{' && this.looksLikeBraces())) {
      throw new PatternGeneratorError('invalid nested repetition operator');
    }
    return { kind: 'repeat', node: atom, min, max };
  }

  private looksLikeBraces(): boolean {
    const saved = this.position;
    const bounds = this.readBraces();
    this.position = saved;
    return bounds !== null;
  }

  /** Reads `{n}`, `{n,}` or `{n,m}`; anything else is a literal `{` (as in Go), giving null. */
  private readBraces(): [number, number] | null {
    const rest = this.chars.slice(this.position, this.position + 24).join('');
    const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
    if (!match) {
      return null;
    }
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? -1 : Number(match[3]);
    if (min > MAX_REPEAT_COUNT || max > MAX_REPEAT_COUNT || (max >= 0 && max < min)) {
      throw new PatternGeneratorError(`invalid repeat count: \`${match[0]}\``);
    }
    this.position += match[0].length;
    return [min, max];
  }

  private parseClass(): CodePointRange[] {
    const negated = this.peek() === '^';
    if (negated) {
      this.position++;
    }
    const ranges: CodePointRange[] = [];
    let first = true;
    while (true) {
      if (this.atEnd()) {
        throw new PatternGeneratorError('missing closing ]');
      }
      const char = this.next();
      if (char === ']' && !first) {
        break;
      }
      first = false;
      if (char === '[' && this.peek() === ':') {
        ranges.push(...this.parsePosixClass());
        continue;
      }
      const low = char === '\\' ? this.parseEscape(true) : { kind: 'literal' as const, text: char };
      if (low.kind === 'class') {
        ranges.push(...low.ranges);
        continue;
      }
      const lowPoint = low.text.codePointAt(0) ?? 0;
      if (this.peek() === '-' && this.chars[this.position + 1] !== ']' && this.position + 1 < this.chars.length) {
        this.position++;
        const highChar = this.next();
        const high = highChar === '\\' ? this.parseEscape(true) : { kind: 'literal' as const, text: highChar };
        if (high.kind === 'class') {
          throw new PatternGeneratorError('invalid character class range');
        }
        const highPoint = high.text.codePointAt(0) ?? 0;
        if (highPoint < lowPoint) {
          throw new PatternGeneratorError(`invalid character class range: \`${low.text}-${high.text}\``);
        }
        ranges.push([lowPoint, highPoint]);
      } else {
        ranges.push([lowPoint, lowPoint]);
      }
    }
    const result = negated ? complement(ranges) : ranges;
    if (result.length === 0) {
      throw new PatternGeneratorError('no runes to choose from');
    }
    return result;
  }

  private parsePosixClass(): CodePointRange[] {
    const rest = this.chars.slice(this.position, this.position + 12).join('');
    const match = /^:([a-z]+):\]/.exec(rest);
    if (!match || !Object.hasOwn(POSIX_CLASSES, match[1])) {
      throw new PatternGeneratorError('unsupported character class');
    }
    this.position += match[0].length;
    return POSIX_CLASSES[match[1]];
  }

  private parseEscape(inClass: boolean): PatternNode & ({ kind: 'literal' } | { kind: 'class' }) {
    const char = this.next();
    switch (char) {
      case 'd':
        return { kind: 'class', ranges: DIGIT };
      case 'w':
        return { kind: 'class', ranges: WORD };
      case 's':
        return { kind: 'class', ranges: SPACE };
      case 'D':
      case 'W':
      case 'S':
        if (inClass) {
          break;
        }
        return {
          kind: 'class',
          ranges: complement(char === 'D' ? DIGIT : char === 'W' ? WORD : SPACE),
        };
      case 'n':
        return { kind: 'literal', text: '\n' };
      case 't':
        return { kind: 'literal', text: '\t' };
      case 'r':
        return { kind: 'literal', text: '\r' };
      case 'f':
        return { kind: 'literal', text: '\f' };
      case 'v':
        return { kind: 'literal', text: '\v' };
      case 'A':
      case 'z':
        if (!inClass) {
          return { kind: 'literal', text: '' };
        }
        break;
      case 'x':
        return { kind: 'literal', text: this.parseHexEscape() };
      default:
        // Go allows escaping any punctuation; letters and digits are reserved for classes.
        if (char !== '' && /[!-/:-@[-`{-~]/.test(char)) {
          return { kind: 'literal', text: char };
        }
    }
    throw new PatternGeneratorError(`invalid escape sequence: \`\\${char}\``);
  }

  private parseHexEscape(): string {
    const rest = this.chars.slice(this.position, this.position + 10).join('');
    const match = /^(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{2}))/.exec(rest);
    const codePoint = match ? Number.parseInt(match[1] ?? match[2], 16) : Number.NaN;
    if (!match || codePoint > 0x10ffff) {
      throw new PatternGeneratorError('invalid escape sequence: `\\x`');
    }
    this.position += match[0].length;
    return String.fromCodePoint(codePoint);
  }

  private peek(): string | undefined {
    return this.chars[this.position];
  }

  private next(): string {
    const char = this.chars[this.position] ?? '';
    this.position++;
    return char;
  }
}

/** The printable-ASCII characters not in `ranges`. */
function complement(ranges: readonly CodePointRange[]): CodePointRange[] {
  const result: CodePointRange[] = [];
  let start = PRINTABLE_ASCII[0];
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  for (const [low, high] of sorted) {
    if (high < start) {
      continue;
    }
    if (low > start) {
      result.push([start, Math.min(low - 1, PRINTABLE_ASCII[1])]);
    }
    start = Math.max(start, high + 1);
    if (start > PRINTABLE_ASCII[1]) {
      return result;
    }
  }
  if (start <= PRINTABLE_ASCII[1]) {
    result.push([start, PRINTABLE_ASCII[1]]);
  }
  return result.filter(([low, high]) => low <= high);
}
