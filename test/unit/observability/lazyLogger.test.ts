import { lazyLogger } from '../../../lambda/observability/lazyLogger';
import type { AppLogger } from '../../../lambda/observability/logger';

/** A stand-in logger that records what it was asked. */
const recording = () => {
  const calls: unknown[][] = [];
  const logger = { level: 'INFO', warn: (...args: unknown[]) => calls.push(['warn', ...args]) } as unknown as AppLogger;
  return { logger, calls };
};

describe('lazyLogger', () => {
  test('makes nothing until something uses the logger', () => {
    const make = jest.fn(() => recording().logger);

    const lazy = lazyLogger(make);

    expect({ made: lazy.made(), calls: make.mock.calls.length }).toEqual({ made: undefined, calls: 0 });
  });

  test('makes the logger once, on first use, and forwards every use to it', () => {
    const real = recording();
    const make = jest.fn(() => real.logger);
    const lazy = lazyLogger(make);

    lazy.log.warn('one', { a: 1 });
    lazy.log.warn('two');

    expect({ made: lazy.made(), makes: make.mock.calls.length, calls: real.calls, level: (lazy.log as unknown as { level: string }).level }).toEqual({
      made: real.logger,
      makes: 1,
      calls: [
        ['warn', 'one', { a: 1 }],
        ['warn', 'two'],
      ],
      level: 'INFO',
    });
  });
});
