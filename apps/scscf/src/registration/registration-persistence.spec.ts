import { ImsSubscription } from '@lib/ims';
import { Binding, RegistrationRecord } from './binding';
import { decodeRecord, encodeRecord, recordKey } from './registration-persistence';
import { RegistrationStore } from './registration-store';

const SET = ['sip:alice@ims.test', 'sip:+15550001@ims.test', 'tel:+15550001'];

function binding(expiresAt: number): Binding {
  return {
    id: 'b1',
    uri: 'sip:alice@127.0.0.1:5062;transport=udp',
    params: new Map<string, string | null>([
      ['+sip.instance', '"<urn:uuid:1>"'],
      ['reg-id', '1'],
      ['+g.3gpp.smsip', null],
    ]),
    displayName: 'Alice',
    expiresAt,
    callId: 'c-1',
    cseq: 7,
    path: ['<sip:tok@pcscf.ims.test:5060;lr>'],
    instanceId: '"<urn:uuid:1>"',
    regId: '1',
    registeredAt: 1000,
  };
}

function record(): RegistrationRecord {
  const subscription: ImsSubscription = {
    privateId: 'alice@ims.test',
    serviceProfiles: [
      {
        publicIdentities: [
          ...SET.map((identity) => ({ identity })),
          { identity: 'sip:barred@ims.test', barringIndication: true },
        ],
        initialFilterCriteria: [],
      },
    ],
  };
  return {
    impi: 'alice@ims.test',
    registeredImpu: SET[0],
    implicitSet: SET,
    barred: ['sip:barred@ims.test'],
    subscription,
    serviceProfile: subscription.serviceProfiles[0],
    bindings: [binding(Date.now() + 600_000)],
  };
}

describe('S-CSCF registration persistence (stored form)', () => {
  it('round-trips a record: profile re-parsed from User-Data XML, implicit set re-derived', () => {
    const r = record();
    const back = decodeRecord(encodeRecord(r));
    expect(back.impi).toBe(r.impi);
    expect(back.registeredImpu).toBe(r.registeredImpu);
    expect(back.implicitSet).toEqual(SET);
    expect(back.barred).toEqual(['sip:barred@ims.test']);
    expect(back.subscription.privateId).toBe('alice@ims.test');
    expect(back.serviceProfile.publicIdentities.map((i) => i.identity)).toContain(SET[2]);
    expect(back.bindings).toEqual(r.bindings);
    expect(back.bindings[0].params).toBeInstanceOf(Map);
  });

  it('keys a record by IMPI and registered IMPU, as URIs compare', () => {
    expect(recordKey({ impi: 'Alice@ims.test', registeredImpu: 'sip:alice@IMS.test;x=1' })).toBe(
      recordKey({ impi: 'alice@ims.test', registeredImpu: 'sip:alice@ims.test' }),
    );
  });

  it.each([['{}'], ['not json'], ['{"v":1,"impi":"a","registeredImpu":"sip:a@b","bindings":[]}']])(
    'refuses an unreadable row %p',
    (text) => {
      expect(() => decodeRecord(text)).toThrow();
    },
  );

  it('a restored record is found by every IMPU of its set, without reporting a change', () => {
    const store = new RegistrationStore();
    const changed = jest.fn();
    store.on('changed', changed);
    const r = decodeRecord(encodeRecord(record()));
    expect(store.restore(r)).toBe(true);
    expect(store.find('tel:+15550001')).toBe(r);
    expect(store.findByImpi('alice@ims.test')).toEqual([r]);
    expect(changed).not.toHaveBeenCalled();
    // An IMPU registered already wins over a stored record.
    expect(store.restore(decodeRecord(encodeRecord(record())))).toBe(false);
    store.close();
  });

  it('re-arms expiry: a restored binding expires at its stored time', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const store = new RegistrationStore();
      const expired = jest.fn();
      store.on('expired', expired);
      const r = record();
      r.bindings = [binding(Date.now() + 5000)];
      store.restore(decodeRecord(encodeRecord(r)));
      jest.advanceTimersByTime(4999);
      expect(expired).not.toHaveBeenCalled();
      jest.advanceTimersByTime(2);
      expect(expired).toHaveBeenCalledTimes(1);
      expect(store.find(SET[0])).toBeUndefined();
      store.close();
    } finally {
      jest.useRealTimers();
    }
  });
});
