import type { InitialFilterCriteria } from '@lib/ims';
import { OdiStore, type ServiceState } from './odi-store';

const STATE: ServiceState = {
  sessionCase: 'originating',
  servedUser: 'sip:alice@ims.test',
  profile: { initialFilterCriteria: [] },
  lastPriority: -Infinity,
};
const IFC: InitialFilterCriteria = {
  priority: 7,
  applicationServer: { serverName: 'sip:as.ims.test' },
};

describe('original dialog identifiers (TS 24.229 §5.4.3.2 step 4)', () => {
  it('hands out unique tokens that carry the state with the Priority of the iFC run', () => {
    const store = new OdiStore();
    const a = store.create(STATE, IFC);
    const b = store.create(STATE, IFC);
    expect(a.token).toMatch(/^odi-[0-9a-f]{20}$/);
    expect(a.token).not.toBe(b.token);
    expect(store.get(a.token)?.state.lastPriority).toBe(7);
    expect(STATE.lastPriority).toBe(-Infinity); // the caller's state is not changed
    expect(store.get('odi-unknown')).toBeUndefined();
  });

  it('forgets identifiers after their lifetime, oldest first', () => {
    let now = 0;
    const store = new OdiStore(1000, () => now);
    const old = store.create(STATE, IFC);
    now = 600;
    const young = store.create(STATE, IFC);
    now = 1000;
    expect(store.get(old.token)).toBeUndefined();
    expect(store.get(young.token)).toBeDefined();
    now = 1700;
    store.create(STATE, IFC); // sweeps
    expect(store.size).toBe(1);
  });
});
