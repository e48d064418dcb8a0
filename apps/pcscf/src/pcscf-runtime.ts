import type { TimerFacility, TimerSettings } from '@lib/sip';

/** Things that are not configuration: SIP timer settings and clock (tests shorten T1). */
export interface PcscfRuntime {
  timers?: Partial<TimerSettings>;
  clock?: TimerFacility;
  /** Wall clock for registration expiry (ms since epoch). */
  now?: () => number;
}
