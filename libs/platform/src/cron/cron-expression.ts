/** An expression `parseCronExpression` rejects; the message says which part and why. */
export class CronExpressionError extends Error {
  constructor(
    readonly expression: string,
    reason: string,
  ) {
    super(`invalid cron expression "${expression}": ${reason}`);
    this.name = 'CronExpressionError';
  }
}

/** PocketBase's macros, each standing for a 5-field expression. */
export const CRON_MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A parsed expression: the values each field matches. */
export interface CronSchedule {
  /** The 5-field form (a macro expanded). */
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly days: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday … 6 = Saturday. */
  readonly daysOfWeek: ReadonlySet<number>;
}

interface FieldBounds {
  name: string;
  min: number;
  max: number;
}

const FIELDS: readonly FieldBounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
];

// Go's strconv.Atoi, which PocketBase parses numbers with, takes an optional sign.
const INTEGER = /^[+-]?[0-9]+$/;

/**
 * Parses PocketBase's cron syntax: a macro (`@hourly`, `@daily`/`@midnight`, `@weekly`,
 * `@monthly`, `@yearly`/`@annually`) or exactly five fields separated by single spaces (minute,
 * hour, day of month, month, day of week 0-6 with 0 = Sunday). A field is a comma list of `*`,
 * `n`, `a-b`, `*` or `a-b` with `/step`. No names (`MON`, `JAN`), no `?`, `L` or `#`. Throws a
 * `CronExpressionError`.
 */
export function parseCronExpression(input: string): CronSchedule {
  const expression = CRON_MACROS[input] ?? input;
  // Split on one space exactly, as PocketBase does: doubled or outer spaces make empty fields.
  const parts = expression.split(' ');
  if (parts.length !== 5) {
    throw new CronExpressionError(input, 'expected a macro or exactly 5 fields separated by single spaces');
  }
  const [minutes, hours, days, months, daysOfWeek] = parts.map((part, index) =>
    parseField(input, part, FIELDS[index] as FieldBounds),
  ) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { expression, minutes, hours, days, months, daysOfWeek };
}

/**
 * Whether `schedule` fires in the minute of `at` (UTC). All five fields must match: unlike Vixie
 * cron, a restricted day of month and day of week are not OR-ed (PocketBase's rule).
 */
export function isCronDue(schedule: CronSchedule, at: Date): boolean {
  return (
    schedule.minutes.has(at.getUTCMinutes()) &&
    schedule.hours.has(at.getUTCHours()) &&
    schedule.days.has(at.getUTCDate()) &&
    schedule.months.has(at.getUTCMonth() + 1) &&
    schedule.daysOfWeek.has(at.getUTCDay())
  );
}

function parseField(expression: string, field: string, bounds: FieldBounds): Set<number> {
  const { name, min, max } = bounds;
  const fail = (reason: string): never => {
    throw new CronExpressionError(expression, `${name} field "${field}": ${reason}`);
  };
  const integer = (text: string): number => {
    if (!INTEGER.test(text)) fail(`"${text}" is not a number`);
    return Number.parseInt(text, 10);
  };
  const values = new Set<number>();
  for (const item of field.split(',')) {
    const stepParts = item.split('/');
    if (stepParts.length > 2) fail('a step is written */n or a-b/n');
    let step = 1;
    if (stepParts.length === 2) {
      step = integer(stepParts[1] as string);
      if (step < 1 || step > max) fail(`the step must be between 1 and ${max}`);
    }
    const base = stepParts[0] as string;
    let from = min;
    let to = max;
    if (base !== '*') {
      const rangeParts = base.split('-');
      if (rangeParts.length > 2) fail('a range is written a-b');
      from = integer(rangeParts[0] as string);
      if (from < min || from > max) fail(`${from} is outside ${min}-${max}`);
      if (rangeParts.length === 2) {
        to = integer(rangeParts[1] as string);
        if (to < from || to > max) fail(`the range end must be between ${from} and ${max}`);
      } else {
        // `5/2` is ambiguous (PocketBase rejects it); `5/1` is plain 5.
        if (step !== 1) fail('a step needs * or a range before it');
        to = from;
      }
    }
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}
