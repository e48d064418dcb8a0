import { ImsSubscription } from '@lib/ims';
import {
  implicitSetOf,
  impuKey,
  sameImpu,
  storedImpiKey,
  storedImpuKey,
  storedList,
  UserProfileError,
} from './user-profile';

const subscription: ImsSubscription = {
  privateId: 'alice@ims.test',
  serviceProfiles: [
    {
      publicIdentities: [
        { identity: 'sip:alice@ims.test' },
        { identity: 'sip:+15550001@ims.test', barringIndication: true },
        { identity: 'tel:+15550001' },
        { identity: 'sip:chat!.*!@ims.test', identityType: 'wildcarded-psi' },
      ],
      initialFilterCriteria: [],
    },
    { publicIdentities: [{ identity: 'sip:work@ims.test' }], initialFilterCriteria: [] },
  ],
};

describe('implicit registration set from the user profile (TS 29.228 §6.1.2)', () => {
  it('keeps the HSS order (default first), sets barred identities apart, skips PSIs', () => {
    const set = implicitSetOf(subscription, 'tel:+15550001');
    expect(set.identities).toEqual(['sip:alice@ims.test', 'tel:+15550001', 'sip:work@ims.test']);
    expect(set.barred).toEqual(['sip:+15550001@ims.test']);
    expect(set.serviceProfile).toBe(subscription.serviceProfiles[0]);
    expect(implicitSetOf(subscription, 'sip:work@ims.test').serviceProfile).toBe(
      subscription.serviceProfiles[1],
    );
  });

  it('refuses a profile that does not contain the registered IMPU', () => {
    expect(() => implicitSetOf(subscription, 'sip:bob@ims.test')).toThrow(UserProfileError);
  });

  it('compares IMPUs as URIs (RFC 3261 §19.1.4)', () => {
    expect(sameImpu('sip:alice@IMS.test', 'sip:alice@ims.test')).toBe(true);
    expect(sameImpu('sip:Alice@ims.test', 'sip:alice@ims.test')).toBe(false);
    expect(sameImpu('not a uri', 'NOT A URI')).toBe(true);
  });
});

describe('impuKey', () => {
  it('indexes equivalent AORs together and keeps different ones apart', () => {
    expect(impuKey('sip:alice@IMS.test;user=phone')).toBe(impuKey('sip:alice@ims.test'));
    expect(impuKey('sip:alice@ims.test:5060')).not.toBe(impuKey('sip:alice@ims.test'));
    expect(impuKey('sip:Alice@ims.test')).not.toBe(impuKey('sip:alice@ims.test'));
    expect(impuKey('tel:+1-555-0001')).toBe(impuKey('tel:+15550001'));
    expect(impuKey('sips:alice@ims.test')).not.toBe(impuKey('sip:alice@ims.test'));
  });
});

describe('stored index keys and lists', () => {
  it('storedImpuKey / storedImpiKey are the same keys as impuKey / lower case', () => {
    for (const impu of ['sip:alice@ims.test', 'sip:alice@IMS.test;user=phone', 'tel:+1-555-0001']) {
      expect(storedImpuKey(impu)).toBe(impuKey(impu));
    }
    expect(storedImpiKey('Alice@IMS.test')).toBe('alice@ims.test');
    expect(storedImpiKey('alice@ims.test')).toBe('alice@ims.test');
  });

  it('storedList copies a list and shares one frozen empty list', () => {
    const list = ['sip:a@ims.test', 'tel:+1'];
    const copy = storedList(list);
    expect(copy).toEqual(list);
    expect(copy).not.toBe(list);
    expect(storedList([])).toBe(storedList([]));
    expect(() => storedList([]).push('x')).toThrow(TypeError);
  });
});
