import { impossibleInstantText, parseInstantText } from './instant-text';

describe(parseInstantText.name, () => {
  it.each([
    ['2001-02-30T00:00:00Z', 'February 2001 has 28 days'],
    ['2001-02-29', 'February 2001 has 28 days'],
    ['2001-04-31T12:00:00+02:00', 'April 2001 has 30 days'],
    ['2001-13-01T00:00:00Z', 'month 13 is out of range 01-12'],
    ['2001-00-10', 'month 00 is out of range 01-12'],
    ['2001-01-00', 'day 00 is out of range'],
    ['2001-02-28T24:00:00Z', 'hour 24 is out of range 00-23'],
    ['2001-02-28 23:60', 'minute 60 is out of range 00-59'],
    ['2001-02-28T23:59:60Z', 'second 60 is out of range 00-59'],
    ['2001-02-28T23:59:00+24:00', 'time zone offset +24:00 is out of range'],
  ])('refuses %s (%s) instead of rolling it over', (text, problem) => {
    expect(impossibleInstantText(text)).toBe(problem);
    expect(parseInstantText(text)).toBeNaN();
  });

  it.each([
    ['2001-03-02T00:00:00Z', Date.UTC(2001, 2, 2)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['2004-02-29T23:59:59.999Z', Date.UTC(2004, 1, 29, 23, 59, 59, 999)],
    ['2001-12-31T23:59:59-05:30', Date.UTC(2002, 0, 1, 5, 29, 59)],
  ])('reads the real instant %s like Date.parse', (text, ms) => {
    expect(impossibleInstantText(text)).toBeUndefined();
    expect(parseInstantText(text)).toBe(ms);
  });

  it('leaves text that is no ISO date to the caller (NaN, no calendar problem)', () => {
    expect(impossibleInstantText('yesterday')).toBeUndefined();
    expect(parseInstantText('yesterday')).toBeNaN();
  });
});
