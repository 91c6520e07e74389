import { parseTrackerPath } from '../../../../lambda/swarm/tracker/parseTrackerPath';

describe('parseTrackerPath', () => {
  test.each([
    ['/announce/k1.1.sig.abc', { token: 'k1.1.sig.abc', action: 'announce' }],
    ['/scrape/k1.1.sig.abc', { token: 'k1.1.sig.abc', action: 'scrape' }],
    ['/prod/announce/tok', { token: 'tok', action: 'announce' }],
    ['/announce/tracker', { token: 'tracker', action: 'announce' }],
  ])('reads %s', (path, expected) => {
    expect(parseTrackerPath(path)).toEqual(expected);
  });

  test.each(['/announce/tok/', '/announce/', '/tracker/tok', '/stats/tok', '/seed/tok/announce', '/tracker/a/b/announce', '/xtracker/tok/announce', ''])(
    'refuses "%s"',
    (path) => {
      expect(parseTrackerPath(path)).toBeUndefined();
    },
  );
});
