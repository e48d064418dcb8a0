import type { TimerFacility, TimerSettings } from '@lib/sip';

/** Things that are not configuration: SIP timer settings and clock (tests shorten T1). */
export interface IcscfRuntime {
  timers?: Partial<TimerSettings>;
  clock?: TimerFacility;
}
