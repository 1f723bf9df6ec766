import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { nestBootLinesAsDebug, prettyLogStream } from './log-output';

/** A stream keeping what was written, as text. */
function memory(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

describe('nestBootLinesAsDebug', () => {
  const levelsOf = (level: pino.Level, log: (logger: pino.Logger) => void) => {
    const out = memory();
    log(pino({ level, hooks: nestBootLinesAsDebug }, out.stream));
    return out
      .text()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { level: number; msg: string }).level);
  };

  it.each(['RouterExplorer', 'RoutesResolver', 'InstanceLoader', 'NestFactory', 'NestApplication'])(
    "hides Nest's %s lines at info and shows them at debug",
    (context) => {
      const log = (logger: pino.Logger) => logger.info({ context }, 'Mapped {/api/health, GET} route');
      expect(levelsOf('info', log)).toEqual([]);
      expect(levelsOf('debug', log)).toEqual([20]);
    },
  );

  it('leaves every other line alone', () => {
    expect(
      levelsOf('info', (logger) => {
        logger.info({ context: 'http' }, 'listening');
        logger.info('no context');
        logger.warn({ context: 'RouterExplorer' }, 'a warning stays a warning');
      }),
    ).toEqual([30, 30, 40]);
  });
});

describe('prettyLogStream', () => {
  const pretty = (log: (logger: pino.Logger) => void) => {
    const out = memory();
    log(pino({ level: 'info' }, prettyLogStream(out.stream)));
    return out.text();
  };

  it('writes one human line: time, level, [context] message', () => {
    expect(pretty((logger) => logger.info({ context: 'http' }, 'listening on http://127.0.0.1:8090'))).toMatch(
      /^\[\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\] INFO: \[http\] listening on http:\/\/127\.0\.0\.1:8090\n$/,
    );
  });

  it('shortens a finished request to method, path, status and duration', () => {
    const line = pretty((logger) =>
      logger.info(
        {
          req: { id: 'r1', method: 'GET', url: '/api/health', headers: {} },
          res: { statusCode: 200 },
          responseTime: 3.4,
        },
        'request completed',
      ),
    );
    expect(line).toMatch(/INFO: GET \/api\/health 200 3ms\n$/);
    expect(line).not.toContain('headers');
  });
});
