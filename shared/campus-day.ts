/**
 * The campus day is the calendar day in Asia/Shanghai. China has had no daylight saving time since
 * 1991, so the day is UTC+8 exactly, with no time-zone database needed. Shared by the server's rules
 * and the mini-program's screens.
 */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** "YYYY-MM-DD" of the campus day that contains this instant. */
export function campusDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The campus day `days` after "YYYY-MM-DD" (negative for before): the one day arithmetic. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The `count` months ("YYYY-MM") ending with the one containing campus day `today`, newest first. */
export function recentMonths(today: string, count: number): string[] {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.UTC(year, month - 1 - i, 1));
    months.push(`${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** 'YYYY-MM' → the first and last campus day of that month. */
export function monthRange(month: string): { from: string; to: string } {
  const [year, mm] = month.split('-').map(Number) as [number, number];
  const lastDay = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(lastDay).padStart(2, '0')}` };
}
