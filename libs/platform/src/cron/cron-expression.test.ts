import { describe, expect, it } from 'vitest';
import { CronExpressionError, isCronDue, parseCronExpression } from './cron-expression';

const range = (from: number, to: number, step = 1) => {
  const out: number[] = [];
  for (let value = from; value <= to; value += step) out.push(value);
  return out;
};
const sorted = (set: ReadonlySet<number>) => [...set].sort((a, b) => a - b);

describe('parseCronExpression', () => {
  it.each([
    ['* * * * *', [range(0, 59), range(0, 23), range(1, 31), range(1, 12), range(0, 6)]],
    ['*/2 */3 */5 */4 */2', [range(0, 58, 2), range(0, 21, 3), range(1, 31, 5), [1, 5, 9], [0, 2, 4, 6]]],
    ['0 * * * *', [[0], range(0, 23), range(1, 31), range(1, 12), range(0, 6)]],
    ['59 23 31 12 6', [[59], [23], [31], [12], [6]]],
    [
      '1,2,5,7,40-50/2 * * * *',
      [[1, 2, 5, 7, 40, 42, 44, 46, 48, 50], range(0, 23), range(1, 31), range(1, 12), range(0, 6)],
    ],
    ['* 3,4,8-16/3,7 * * *', [range(0, 59), [3, 4, 7, 8, 11, 14], range(1, 31), range(1, 12), range(0, 6)]],
    ['* * 5,6,20-30/3,1 * 1,2-5/2', [range(0, 59), range(0, 23), [1, 5, 6, 20, 23, 26, 29], range(1, 12), [1, 2, 4]]],
    ['* * * 1,4,5-10/2 *', [range(0, 59), range(0, 23), range(1, 31), [1, 4, 5, 7, 9], range(0, 6)]],
    // A single value with step 1 is that value; a duplicated value counts once.
    ['5/1 1,1 * * *', [[5], [1], range(1, 31), range(1, 12), range(0, 6)]],
    // A step as large as the field's maximum gives the range's start only.
    ['*/59 */23 */31 */12 */6', [[0, 59], [0, 23], [1], [1], [0, 6]]],
    // Go's Atoi (PocketBase's parser) takes a leading +.
    ['+5 */+2 * * *', [[5], range(0, 22, 2), range(1, 31), range(1, 12), range(0, 6)]],
    // A degenerate range is one value.
    ['7-7 * * * *', [[7], range(0, 23), range(1, 31), range(1, 12), range(0, 6)]],
  ])('%s', (expression, [minutes, hours, days, months, daysOfWeek]) => {
    const schedule = parseCronExpression(expression);
    expect(schedule.expression).toBe(expression);
    expect(sorted(schedule.minutes)).toEqual(minutes);
    expect(sorted(schedule.hours)).toEqual(hours);
    expect(sorted(schedule.days)).toEqual(days);
    expect(sorted(schedule.months)).toEqual(months);
    expect(sorted(schedule.daysOfWeek)).toEqual(daysOfWeek);
  });

  it.each([
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 0'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ])('expands the macro %s to %s', (macro, expression) => {
    const schedule = parseCronExpression(macro);
    expect(schedule.expression).toBe(expression);
    expect(sorted(schedule.minutes)).toEqual(sorted(parseCronExpression(expression).minutes));
    expect(sorted(schedule.daysOfWeek)).toEqual(sorted(parseCronExpression(expression).daysOfWeek));
  });

  it.each([
    // shape
    ['', /exactly 5 fields/],
    ['invalid', /exactly 5 fields/],
    ['* * * *', /exactly 5 fields/],
    ['* * * * * *', /exactly 5 fields/],
    ['*  * * * *', /exactly 5 fields/],
    [' * * * * *', /exactly 5 fields/],
    ['* * * * * ', /exactly 5 fields/],
    ['*\t* * * *', /exactly 5 fields/],
    ['@every 5m', /exactly 5 fields/],
    ['@DAILY', /exactly 5 fields/],
    ['@reboot', /exactly 5 fields/],
    // out of range, per field
    ['60 * * * *', /minute field "60": 60 is outside 0-59/],
    ['-1 * * * *', /minute field "-1"/],
    ['* 24 * * *', /hour field "24"/],
    ['* -1 * * *', /hour field/],
    ['* * 0 * *', /day of month field "0"/],
    ['* * 32 * *', /day of month field "32"/],
    ['* * * 0 *', /month field "0"/],
    ['* * * 13 *', /month field "13"/],
    ['* * * * 7', /day of week field "7"/],
    ['* * * * -1', /day of week field/],
    // numbers
    ['a * * * *', /"a" is not a number/],
    ['MON * * * *', /not a number/],
    ['* * * JAN *', /not a number/],
    ['* * * * SUN', /not a number/],
    ['1.5 * * * *', /not a number/],
    ['0x1 * * * *', /not a number/],
    ['? * * * *', /not a number/],
    ['L * * * *', /not a number/],
    ['99999999999999999999 * * * *', /outside 0-59/],
    // lists, ranges, steps
    ['1,,2 * * * *', /"" is not a number/],
    [', * * * *', /not a number/],
    ['2/3 * * * *', /needs \* or a range/],
    ['*/0 * * * *', /step must be between 1 and 59/],
    ['*/60 * * * *', /step must be between 1 and 59/],
    ['* * * * */7', /step must be between 1 and 6/],
    ['*/-1 * * * *', /step must be between/],
    ['*/ * * * *', /not a number/],
    ['*/2/3 * * * *', /step is written/],
    ['1-2-3 * * * *', /range is written/],
    ['5-1 * * * *', /range end must be between 5 and 59/],
    ['1-60 * * * *', /range end/],
    ['*-5 * * * *', /not a number/],
    ['1- * * * *', /not a number/],
    ['-5 * * * *', /not a number/],
    ['* * * * 1#2', /not a number/],
  ])('rejects %j', (expression, message) => {
    expect(() => parseCronExpression(expression)).toThrow(CronExpressionError);
    expect(() => parseCronExpression(expression)).toThrow(message);
  });
});

describe('isCronDue', () => {
  // 2023-05-09 was a Tuesday (day of week 2).
  const at = new Date('2023-05-09T15:20:00.000Z');

  it.each([
    ['* * * * *', true],
    ['20 15 9 5 2', true],
    ['20 * * * *', true],
    ['21 * * * *', false],
    ['* 14 * * *', false],
    ['* 2-6 * * 2,3', false],
    ['* 10-20 * * 2,3', true],
    ['* * 1,2,5,15-18 * *', false],
    ['* * 1-9/2 * *', true],
    ['* * 2-9/2 * *', false],
    ['* * * 4 *', false],
    ['* * * * 1', false],
    // PocketBase ANDs day of month and day of week (Vixie cron would OR them and fire here).
    ['* * 9 * 1', false],
    ['* * 10 * 2', false],
    ['@hourly', false],
  ])('%s at 2023-05-09 15:20 UTC (Tuesday): %s', (expression, due) => {
    expect(isCronDue(parseCronExpression(expression), at)).toBe(due);
  });

  it('reads the date in UTC whatever the seconds', () => {
    const schedule = parseCronExpression('0 0 1 1 *');
    expect(isCronDue(schedule, new Date('2024-01-01T00:00:59.999Z'))).toBe(true);
    expect(isCronDue(schedule, new Date('2023-12-31T23:59:59.999Z'))).toBe(false);
    expect(isCronDue(parseCronExpression('@weekly'), new Date('2023-05-07T00:00:00Z'))).toBe(true);
  });
});
