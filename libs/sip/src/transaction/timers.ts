/**
 * RFC 3261 §17 timer values. Every stack instance carries its own T1/T2/T4 (sipgo
 * `SetTimers`); nothing reads a global. Table 4 of RFC 3261 §A:
 *
 * | timer | value                         | meaning                                     |
 * |-------|-------------------------------|---------------------------------------------|
 * | T1    | 500 ms default                | RTT estimate                                |
 * | T2    | 4 s                           | maximum retransmit interval for non-INVITE  |
 * | T4    | 5 s                           | maximum duration a message stays in network |
 * | A     | initially T1                  | INVITE request retransmit, UDP only         |
 * | B     | 64*T1                         | INVITE transaction timeout                  |
 * | C     | > 3 min                       | proxy INVITE transaction timeout            |
 * | D     | > 32 s for UDP, 0 for TCP     | wait time for response retransmits          |
 * | E     | initially T1                  | non-INVITE request retransmit, UDP only     |
 * | F     | 64*T1                         | non-INVITE transaction timeout              |
 * | G     | initially T1                  | INVITE response retransmit                  |
 * | H     | 64*T1                         | wait time for ACK receipt                   |
 * | I     | T4 for UDP, 0 for TCP         | wait time for ACK retransmits               |
 * | J     | 64*T1 for UDP, 0 for TCP      | wait time for non-INVITE request retransmits|
 * | K     | T4 for UDP, 0 for TCP         | wait time for response retransmits          |
 */
export interface TimerSettings {
  T1: number;
  T2: number;
  T4: number;
  /** Timer D for unreliable transports; RFC 3261 §17.1.1.2 "at least 32 seconds". */
  timerD: number;
  /** Timer C for proxies; RFC 3261 §16.6 step 11 "MUST be larger than 3 minutes". */
  timerC: number;
}

export const DEFAULT_TIMER_SETTINGS: TimerSettings = {
  T1: 500,
  T2: 4000,
  T4: 5000,
  timerD: 32000,
  timerC: 180001,
};

/** Completes partial settings with the RFC 3261 defaults. */
export function resolveTimerSettings(partial: Partial<TimerSettings> = {}): TimerSettings {
  return { ...DEFAULT_TIMER_SETTINGS, ...partial };
}

/** An injectable timer facility (a test clock, or the host's event loop). */
export interface TimerFacility {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The event loop's timers. Looked up at call time, so jest fake timers apply to stacks
 * created before `jest.useFakeTimers()`.
 */
export const systemTimers: TimerFacility = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
