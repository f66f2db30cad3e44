/**
 * ISO 8601 weeks of campus days (network fee periods), shared by the server's rules and the
 * mini-program: weeks start on Monday and week 1 holds the year's first Thursday. A campus day is
 * already a Beijing date (shared/campus-day.ts), so no time zone is needed here.
 */

/** An ISO 8601 week, `YYYY-Www` (zero-padded, so weeks sort as strings). */
export type IsoWeek = string;

const DAY_MS = 86_400_000;
const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

function utcDate(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** The ISO week a campus day (YYYY-MM-DD, already in Beijing) falls in: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeekOf(day: string): IsoWeek {
  const date = utcDate(day);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(date.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const firstThursday = mondayOfWeekOne(year).getTime() + 3 * DAY_MS;
  const week = 1 + Math.round((thursday.getTime() - firstThursday) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function mondayOfWeekOne(year: number): Date {
  const jan4 = new Date(Date.UTC(year, 0, 4));
  return new Date(jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS);
}

export function isIsoWeek(value: string): boolean {
  const match = ISO_WEEK.exec(value);
  if (!match) return false;
  const week = Number(match[2]);
  return week >= 1 && week <= 53 && isoWeekOf(weekMonday(value)) === value;
}

/** The Monday (YYYY-MM-DD) that starts the week. */
export function weekMonday(week: IsoWeek): string {
  const match = ISO_WEEK.exec(week);
  if (!match) throw new Error(`not an ISO week: ${week}`);
  return new Date(mondayOfWeekOne(Number(match[1])).getTime() + (Number(match[2]) - 1) * 7 * DAY_MS).toISOString().slice(0, 10);
}

/** The week's first and last campus day. */
export function weekDays(week: IsoWeek): { from: string; to: string } {
  const monday = utcDate(weekMonday(week));
  return { from: monday.toISOString().slice(0, 10), to: new Date(monday.getTime() + 6 * DAY_MS).toISOString().slice(0, 10) };
}

export function addWeeks(week: IsoWeek, count: number): IsoWeek {
  return isoWeekOf(new Date(utcDate(weekMonday(week)).getTime() + count * 7 * DAY_MS).toISOString().slice(0, 10));
}

/** `count` consecutive weeks from `from`. */
export function weeksFrom(from: IsoWeek, count: number): IsoWeek[] {
  return Array.from({ length: count }, (_, i) => addWeeks(from, i));
}

