import type { AppLogger } from './logger';

/** A logger made on first use, and whether it has been. */
export interface LazyLogger {
  /** Stands for the logger `make` returns; the first use of any of its members makes it. */
  log: AppLogger;
  /** The logger, if something used it already. */
  made(): AppLogger | undefined;
}

/**
 * Defers making a logger until something uses it. A Powertools child logger
 * costs more to make (a Console, merged options, environment reads) than a
 * cached torrent's whole answer, and most requests never log through theirs
 * (the access line can be written without one: see requestLogger).
 *
 * @example
 * const lazy = lazyLogger(() => root.createChild({ persistentKeys: { requestId } }));
 * lazy.made(); // undefined
 * lazy.log.warn('cache read failed'); // makes the child, then logs through it
 */
export const lazyLogger = (make: () => AppLogger): LazyLogger => {
  let logger: AppLogger | undefined;
  const target = () => {
    logger ??= make();
    return logger;
  };
  const log = new Proxy({} as AppLogger, {
    get: (_stand, name) => {
      const real = target();
      const value: unknown = Reflect.get(real, name, real);
      return typeof value === 'function' ? value.bind(real) : value;
    },
    set: (_stand, name, value) => Reflect.set(target(), name, value),
    has: (_stand, name) => Reflect.has(target(), name),
  });
  return { log, made: () => logger };
};
