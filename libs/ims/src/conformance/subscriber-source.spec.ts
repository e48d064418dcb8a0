import { SubscriberUnavailableError } from './conformance-types';
import {
  FileSubscriberSource,
  parseSubscribersFile,
  SubscribersFileError,
} from './subscriber-source';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

describe('subscribers file', () => {
  it('reads AKA and SIP Digest entries, array or {subscribers}', () => {
    const entries = [
      {
        impi: '001010000000001@ims.example.org',
        impu: 'sip:001010000000001@ims.example.org',
        k: K,
        opc: OPC.toUpperCase(),
      },
      {
        impi: 'alice@ims.example.org',
        impu: 'sip:alice@ims.example.org',
        password: 'pw',
        impus: ['sip:alice@ims.example.org', 'tel:+15550001'],
      },
    ];
    for (const text of [JSON.stringify(entries), JSON.stringify({ subscribers: entries })]) {
      expect(parseSubscribersFile(text)).toEqual([
        { impi: entries[0].impi, impu: entries[0].impu, k: K, opc: OPC },
        { impi: entries[1].impi, impu: entries[1].impu, impus: entries[1].impus, password: 'pw' },
      ]);
    }
  });

  it.each([
    ['{', /not valid JSON/],
    ['{"users": []}', /expected an array/],
    ['[]', /no subscribers/],
    ['[1]', /entry 1: expected an object/],
    ['[{"impu": "sip:a@b", "password": "p"}]', /entry 1: impi is required/],
    ['[{"impi": "a@b", "impu": "a@b", "password": "p"}]', /impu must be a sip:, sips: or tel: URI/],
    [`[{"impi": "a@b", "impu": "sip:a@b", "k": "${K}"}]`, /AKA needs k and exactly one of op, opc/],
    [
      `[{"impi": "a@b", "impu": "sip:a@b", "k": "${K}", "op": "${K}", "opc": "${OPC}"}]`,
      /exactly one of op, opc/,
    ],
    ['[{"impi": "a@b", "impu": "sip:a@b", "k": "12"}]', /k must be 32 hex digits/],
    ['[{"impi": "a@b", "impu": "sip:a@b"}]', /needs AKA keys .* or a password/],
    ['[{"impi": "a@b", "impu": "sip:a@b", "password": "p", "ki": "x"}]', /unknown field "ki"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSubscribersFile(text, 'subs.json')).toThrow(SubscribersFileError);
    expect(() => parseSubscribersFile(text, 'subs.json')).toThrow(message);
  });

  it('hands out the n-th subscriber of a kind per case, and says when there are too few', async () => {
    const source = new FileSubscriberSource(
      parseSubscribersFile(
        JSON.stringify([
          { impi: 'a@d', impu: 'sip:a@d', k: K, opc: OPC },
          { impi: 'b@d', impu: 'sip:b@d', password: 'p' },
        ]),
      ),
      'subs.json',
    );
    expect(source.domain).toBe('d');
    expect((await source.acquire('aka')).impi).toBe('a@d');
    expect((await source.acquire('md5')).impi).toBe('b@d');
    await expect(source.acquire('aka')).rejects.toThrow(SubscriberUnavailableError);
    await source.endCase();
    expect((await source.acquire('aka')).impi).toBe('a@d');
  });
});
