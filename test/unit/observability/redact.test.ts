import { redact } from '../../../lambda/observability/redact';
import { createLogger } from '../../../lambda/observability/logger';
import { captureLogs } from '../../helpers/captureLogs';

const TOKEN = `k1.1900000000.${'A'.repeat(43)}`;

describe('redact', () => {
  test.each([
    ['a link signature in a query', '/torrent/b/k?exp=1&kid=k1&sig=abcDEF_-123', '/torrent/b/k?exp=1&kid=k1&sig=[redacted]'],
    ['a percent-encoded signature inside a logged URL', 'url=https%3A%2F%2Fx%2Ft%3Fsig%3Dabc', 'url=https%3A%2F%2Fx%2Ft%3Fsig%3D[redacted]'],
    ['presigned-URL credentials', 'X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=deadbeef', 'X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]'],
    ['a seed token in its path segment', `/seed/${TOKEN}/b/k.bin`, '/seed/[redacted]/b/k.bin'],
    ['a seed token in a mangled path', `/seed//${TOKEN}/b/k.bin`, '/seed//[redacted]/b/k.bin'],
  ])('removes %s', (_what, input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  test('leaves text without secrets as it is', () => {
    expect(redact('/torrent/demo/a b.bin status=200')).toBe('/torrent/demo/a b.bin status=200');
  });

  test('the logger applies it to every string it writes, nested fields and errors included', () => {
    const logger = createLogger();
    const { lines, restore } = captureLogs(logger, 'INFO');
    try {
      logger.info(`GET /seed/${TOKEN}/b/k`, { nested: { url: '/torrent/b/k?sig=secret1' }, error: new Error('failed at ?sig=secret2') });
    } finally {
      restore();
    }
    const all = lines.join('\n');
    expect({ lines: lines.length, leaked: [TOKEN, 'secret1', 'secret2'].filter((s) => all.includes(s)) }).toEqual({ lines: 1, leaked: [] });
  });
});
