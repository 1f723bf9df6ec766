import { compileFilter, MAX_FILTER_LENGTH, parseFilter } from '@hivebase/filter';
import { lookup } from '@hivebase/filter/testing';
import { bench, describe } from 'vitest';

// A realistic maximal filter: 3500 characters, within the 200-expression limit.
const chunk = '(title ~ "hello world" || views >= 10) && author.name != "x"';
let filter = chunk;
while (filter.length + chunk.length + 4 <= MAX_FILTER_LENGTH) filter += ` || ${chunk}`;
filter = filter.padEnd(MAX_FILTER_LENGTH, ' ');

describe(`filter of ${filter.length} characters`, () => {
  bench('parseFilter', () => {
    parseFilter(filter);
  });

  bench('compileFilter (parse + resolve + SQL)', () => {
    compileFilter(filter, { lookup, collection: 'posts', allowHiddenFields: true });
  });
});
