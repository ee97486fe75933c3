// The text form of an instant (google.protobuf.Timestamp's JSON form is RFC 3339), read
// strictly. Date.parse rolls impossible calendar fields over without a word —
// "2001-02-30T00:00:00Z" becomes 2001-03-02 and hour 24 the next midnight — so every parser
// of user-given times in Strata checks the fields here first.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Date and time fields at the start of an ISO 8601 / RFC 3339 text. */
const FIELDS = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/** A numeric time zone offset at the end of the text (after the time). */
const OFFSET = /([+-])(\d{2}):?(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days of a month (1-12) of the proleptic Gregorian calendar. */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
}

/**
 * Why the date and time fields of an ISO 8601 / RFC 3339 text name no real instant
 * (`2001-02-30T00:00:00Z` → `February 2001 has 28 days`), or undefined when they are real or
 * the text is not in that form at all (its own parser refuses that).
 */
export function impossibleInstantText(text: string): string | undefined {
  const trimmed = text.trim();
  const match = FIELDS.exec(trimmed);
  if (match === null) return undefined;
  const [fields, yearText, monthText, dayText, hourText, minuteText, secondText] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (month < 1 || month > 12) return `month ${monthText} is out of range 01-12`;
  const days = daysIn(year, month);
  if (day < 1) return `day ${dayText} is out of range`;
  if (day > days) return `${MONTHS[month - 1]} ${year} has ${days} days`;
  if (hourText === undefined) return undefined;
  if (Number(hourText) > 23) return `hour ${hourText} is out of range 00-23`;
  if (Number(minuteText) > 59) return `minute ${minuteText} is out of range 00-59`;
  if (secondText !== undefined && Number(secondText) > 59) return `second ${secondText} is out of range 00-59`;
  const offset = OFFSET.exec(trimmed.slice(fields.length));
  if (offset !== null && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return `time zone offset ${offset[0]} is out of range`;
  return undefined;
}

/**
 * Epoch milliseconds of an ISO 8601 / RFC 3339 text (what Date.parse reads), or NaN when it
 * does not parse or names an impossible date or time (see {@link impossibleInstantText}).
 */
export function parseInstantText(text: string): number {
  return impossibleInstantText(text) === undefined ? Date.parse(text) : Number.NaN;
}
