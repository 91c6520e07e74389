import { displayName } from '../../../lambda/metainfo/displayName';

describe('displayName', () => {
  test.each([
    ['videos/2026/talk.mp4', 'talk.mp4'],
    ['a.bin', 'a.bin'],
    ['dir/sub/', 'sub'],
    ['/lead', 'lead'],
    ['a//b', 'b'],
    ['/', 'download'],
    ['', 'download'],
  ])('names %p "%s"', (key, expected) => {
    expect(displayName(key)).toBe(expected);
  });
});
