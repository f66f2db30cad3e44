/**
 * The terminal's sounds: one short tone on success, a continuous alarm on refusal (until the next
 * action stops it). Web Audio only, no sound files to fetch. The state is also mirrored on <html>
 * (data-alarm="on", data-beeps=<count>) so the component and end-to-end tests can see what a
 * cashier hears.
 */

let context: AudioContext | undefined;
let stopCurrentAlarm: (() => void) | undefined;

function audio(): AudioContext | undefined {
  const Ctor = (globalThis as { AudioContext?: typeof AudioContext }).AudioContext;
  if (!Ctor) return undefined; // jsdom, or a browser without Web Audio: silent but still recorded below
  try {
    context ??= new Ctor();
    // A page that has not been touched yet starts suspended; the cashier's key press resumes it.
    if (context.state === 'suspended') void context.resume();
    return context;
  } catch {
    return undefined;
  }
}

function tone(ctx: AudioContext, frequency: number, startAt: number, seconds: number, gain = 0.2): OscillatorNode {
  const osc = ctx.createOscillator();
  const amp = ctx.createGain();
  osc.type = 'square';
  osc.frequency.value = frequency;
  amp.gain.value = gain;
  osc.connect(amp).connect(ctx.destination);
  osc.start(startAt);
  osc.stop(startAt + seconds);
  return osc;
}

/** One short tone: the sale went through. */
export function beep(): void {
  const root = document.documentElement;
  root.dataset.beeps = String(Number(root.dataset.beeps ?? '0') + 1);
  const ctx = audio();
  if (ctx) tone(ctx, 1760, ctx.currentTime, 0.12);
}

/** A continuous two-tone alarm until the returned stop is called (starting a new one stops the old). */
export function startAlarm(): () => void {
  stopCurrentAlarm?.();
  const root = document.documentElement;
  root.dataset.alarm = 'on';
  const ctx = audio();
  let timer: ReturnType<typeof setInterval> | undefined;
  const playing = new Set<OscillatorNode>();
  if (ctx) {
    const burst = () => {
      const t = ctx.currentTime;
      for (const osc of [tone(ctx, 880, t, 0.25, 0.25), tone(ctx, 660, t + 0.25, 0.25, 0.25)]) {
        playing.add(osc);
        osc.onended = () => playing.delete(osc);
      }
    };
    burst();
    timer = setInterval(burst, 500);
  }
  const stop = () => {
    if (stopCurrentAlarm !== stop) return;
    stopCurrentAlarm = undefined;
    if (timer) clearInterval(timer);
    for (const osc of playing) {
      try {
        osc.stop();
      } catch {
        // already ended
      }
    }
    delete root.dataset.alarm;
  };
  stopCurrentAlarm = stop;
  return stop;
}

/** Stops whatever alarm is sounding (the next action of the cashier or the holder). */
export function stopAlarm(): void {
  stopCurrentAlarm?.();
}

/** Is the alarm sounding now? */
export function alarmOn(): boolean {
  return stopCurrentAlarm !== undefined;
}
