import { exactBytes, formatBytes, formatDate, fromNow } from '../../../lambda/pages/format';

describe('format', () => {
  test.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1.00 KiB'],
    [3_158_073, '3.01 MiB'],
    [68.4 * 1024, '68.4 KiB'],
    [200 * 1024 ** 3, '200 GiB'],
    [5 * 1024 ** 4, '5.00 TiB'],
  ])('formatBytes(%d) is %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  test('exactBytes groups thousands', () => {
    expect([exactBytes(3_158_073), exactBytes(1)]).toEqual(['3,158,073 bytes', '1 byte']);
  });

  test('formatDate is UTC to the minute', () => {
    expect(formatDate(1_796_209_708)).toBe('2026-12-02 11:08 UTC');
  });

  test.each([
    [-5, 'now'],
    [30, 'in less than a minute'],
    [60, 'in 1 minute'],
    [3 * 3600 + 5, 'in 3 hours'],
    [86400, 'in 1 day'],
    [7 * 86400 - 1, 'in 6 days'],
  ])('fromNow(%d) is %s', (s, text) => {
    expect(fromNow(s)).toBe(text);
  });
});
