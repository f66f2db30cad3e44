/** The campus day (shared/campus-day.ts) and the clock every rule reads. */
export { addDays, campusDay } from '../../shared/campus-day';

/** The clock every rule reads; injected so tests control time. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
