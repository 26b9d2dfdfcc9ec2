import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger, requestIds } from '../../src/platform/http/request-log.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
const flushed = () => new Promise((r) => setImmediate(r));

describe('request loggers', () => {
  it('write what the child would, with the request id, only at enabled levels', async () => {
    const { logger, lines } = capture('warn');
    const log = lazyChildLogger(logger, { reqId: 'a-1' }, {});
    log.info({ req: 1 }, 'incoming request');
    log.debug('not shown');
    expect(log.level).toBe('warn');
    log.warn({ detail: 'x' }, 'slow %s', 'answer');
    log.error(new Error('boom'));
    await flushed();
    expect(lines.map((l) => [l.level, l.reqId, l.msg])).toEqual([
      [40, 'a-1', 'slow answer'],
      [50, 'a-1', 'boom'],
    ]);
    expect(lines[0]!.detail).toBe('x');
    expect((lines[1]!.err as { message: string }).message).toBe('boom');
  });

  it('follows the level set on it, and makes grandchildren with both bindings', async () => {
    const { logger, lines } = capture('warn');
    const log = lazyChildLogger(logger, { reqId: 'a-2' }, {});
    log.level = 'info';
    log.info('now shown');
    log.child({ part: 'upload' }).warn('child line');
    await flushed();
    expect(lines.map((l) => [l.reqId, l.part, l.msg])).toEqual([
      ['a-2', undefined, 'now shown'],
      ['a-2', 'upload', 'child line'],
    ]);
    expect(logger.level).toBe('warn');
  });

  it('gives a route with its own level a real child at once', async () => {
    const { logger, lines } = capture('warn');
    const log = lazyChildLogger(logger, { reqId: 'a-3' }, { level: 'debug' });
    log.debug('route debug');
    await flushed();
    expect(lines.map((l) => l.msg)).toEqual(['route debug']);
  });

  it('numbers requests under a prefix of its own per process', () => {
    const a = requestIds();
    const b = requestIds();
    const [a1, a2, b1] = [a(), a(), b()];
    expect(a1).toMatch(/^[0-9a-f]{8}-1$/);
    expect(a2).toBe(`${a1.split('-')[0]}-2`);
    expect(b1.split('-')[0]).not.toBe(a1.split('-')[0]);
  });
});
