// The emulator's clock: real time, moved by an offset or frozen at one second through the admin API
// (PUT /_emulator/clock). Events and objects created meanwhile get its time, and the 30-day event
// retention is measured on it, so tests can put hundreds of events on one second or age a cursor out.

export interface ClockSetting {
  /** Seconds added to real time. */
  offsetSeconds?: number;
  /** Unix seconds the clock stands still at (wins over the offset). */
  frozenAt?: number;
}

let setting: ClockSetting = {};

export function setClock(next: ClockSetting): ClockSetting {
  setting = {
    ...(next.offsetSeconds && { offsetSeconds: next.offsetSeconds }),
    ...(next.frozenAt !== undefined && { frozenAt: next.frozenAt }),
  };
  return setting;
}

export const clockSetting = (): ClockSetting => setting;

export const nowSeconds = (): number =>
  setting.frozenAt ?? Math.floor(Date.now() / 1000) + (setting.offsetSeconds ?? 0);
