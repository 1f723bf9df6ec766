import { describe, expect, it } from 'vitest';
import { csvFileName, toCsv } from './sql-csv';

describe('toCsv', () => {
  it('writes a header line and one CRLF-ended line per row; NULL as an empty field', () => {
    expect(
      toCsv(
        ['id', 'note'],
        [
          ['1', 'plain'],
          ['2', null],
        ],
      ),
    ).toBe('id,note\r\n1,plain\r\n2,\r\n');
  });

  it('quotes fields holding quotes, commas or line breaks, doubling the quotes', () => {
    expect(
      toCsv(
        ['a,b', 'say "hi"'],
        [
          ['x\ny', 'one\r\ntwo'],
          ['"', ' spaced '],
        ],
      ),
    ).toBe('"a,b","say ""hi"""\r\n"x\ny","one\r\ntwo"\r\n"""", spaced \r\n');
  });

  it('keeps an empty string apart from nothing only by position (both empty fields)', () => {
    expect(toCsv(['a', 'b', 'c'], [['', null, '']])).toBe('a,b,c\r\n,,\r\n');
  });
});

describe('csvFileName', () => {
  it('names the file after the UTC time without separators', () => {
    expect(csvFileName(new Date('2026-12-07T02:03:04.567Z'))).toBe('export_20261207T020304567Z.csv');
  });
});
