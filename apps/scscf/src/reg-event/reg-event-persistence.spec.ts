import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WriteBehindTable } from '@lib/ims';
import {
  decodeSubscription,
  encodeSubscription,
  REG_SUBSCRIPTIONS_TABLE,
  restoreSubscriptions,
  subscriptionKey,
} from './reg-event-persistence';
import type { RegSubscription } from './reg-event.service';

function sub(n: number, expiresAt: number): RegSubscription {
  return {
    aor: `sip:user${n}@ims.test`,
    callId: `call-${n}@pcscf`,
    localTag: `lt${n}`,
    remoteTag: `rt${n}`,
    remoteFrom: `<sip:pcscf.ims.test>;tag=rt${n}`,
    remoteTarget: 'sip:pcscf.ims.test:5060',
    routeSet: ['<sip:pcscf.ims.test;lr>', '<sip:edge.ims.test;lr>'],
    localCseq: 7,
    remoteCseq: 3,
    version: 6,
    expiresAt,
  };
}

describe('reg-event subscription persistence', () => {
  it('encodes and decodes every field of the dialog', () => {
    const s = sub(1, 1_900_000_000_000);
    expect(decodeSubscription(encodeSubscription(s))).toEqual(s);
    expect(subscriptionKey(s)).toBe('call-1@pcscf lt1');
  });

  it('rejects unreadable rows with a reason', () => {
    expect(() => decodeSubscription('{"v":2}')).toThrow(/version 1/);
    const broken = JSON.parse(encodeSubscription(sub(1, 5))) as Record<string, unknown>;
    delete broken.remoteTarget;
    expect(() => decodeSubscription(JSON.stringify(broken))).toThrow(/remoteTarget/);
    broken.remoteTarget = 'sip:x';
    broken.version = 'six';
    expect(() => decodeSubscription(JSON.stringify(broken))).toThrow(/version/);
  });

  it('restores live subscriptions from an SQLite file; expired and unreadable rows are dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regsub-'));
    try {
      const path = join(dir, 'scscf.sqlite');
      const now = Date.now();
      const live = sub(1, now + 60000);
      const expired = sub(2, now - 1);
      const writer = new WriteBehindTable({ path, table: REG_SUBSCRIPTIONS_TABLE });
      writer.put(subscriptionKey(live), () => encodeSubscription(live));
      writer.put(subscriptionKey(expired), encodeSubscription(expired));
      writer.put('garbage', '{not json');
      // A NOTIFY after the put: the row carries the state at flush time.
      live.version++;
      live.localCseq++;
      writer.close();

      const reader = new WriteBehindTable({ path, table: REG_SUBSCRIPTIONS_TABLE });
      const found = restoreSubscriptions(reader.load(), now);
      reader.close();
      expect(found.live).toEqual([{ ...live, version: 7, localCseq: 8 }]);
      expect(found.dropped.sort()).toEqual(['garbage', subscriptionKey(expired)].sort());
      expect(found.unreadable).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
