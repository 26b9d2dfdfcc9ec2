import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilent } from 'pino';

/**
 * Request ids: this process's random prefix and a counter (`3fa9c2d1-1k`). Unique across restarts,
 * and made without the random generator on every request (they head audit records and log lines).
 */
export function requestIds(): () => string {
  const boot = crypto.randomBytes(4).toString('hex');
  let n = 0;
  return () => `${boot}-${(++n).toString(36)}`;
}

type Level = Exclude<LevelWithSilent, 'silent'>;
type LevelAware = FastifyBaseLogger & { isLevelEnabled: (level: string) => boolean };

/**
 * A request's logger that becomes the parent's child (with the request id) only when a line is written
 * at an enabled level: most requests log nothing at `warn`, and a pino child costs more than the
 * request's own look-up. Lines, levels and bindings are those of `parent.child(bindings)`.
 */
class LazyChild implements FastifyBaseLogger {
  #made: FastifyBaseLogger | null = null;
  constructor(
    readonly parent: LevelAware,
    readonly bindings: Bindings,
  ) {}

  #child(): FastifyBaseLogger {
    return (this.#made ??= this.parent.child(this.bindings));
  }
  #log(level: Level, args: unknown[]) {
    const logger = this.#made ?? (this.parent.isLevelEnabled(level) ? this.#child() : null);
    if (logger) logger[level](...(args as Parameters<FastifyBaseLogger['info']>));
  }

  get level(): string {
    return this.#made ? this.#made.level : this.parent.level;
  }
  set level(value: string) {
    this.#child().level = value;
  }
  fatal(...args: unknown[]) {
    this.#log('fatal', args);
  }
  error(...args: unknown[]) {
    this.#log('error', args);
  }
  warn(...args: unknown[]) {
    this.#log('warn', args);
  }
  info(...args: unknown[]) {
    this.#log('info', args);
  }
  debug(...args: unknown[]) {
    this.#log('debug', args);
  }
  trace(...args: unknown[]) {
    this.#log('trace', args);
  }
  silent() {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#child().child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a lazy child, unless the route sets its own level or serializers. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  const parent = logger as Partial<LevelAware>;
  if (typeof parent.isLevelEnabled !== 'function' || Object.keys(opts).length) return logger.child(bindings, opts);
  return new LazyChild(logger as LevelAware, bindings);
}
