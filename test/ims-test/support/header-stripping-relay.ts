/**
 * A deliberately faulty access network for the fault-injection tests: a UDP relay in front of
 * the P-CSCF, NAT-like (one upstream socket per UE address, so requests the core sends to a UE
 * come back through it), that removes chosen headers on the way to the UE: from the 200 OK to
 * REGISTER, or from the requests the core delivers. To the suite, core and relay together are
 * "a core that drops Service-Route" (or Path, or P-Asserted-Identity) — a fault made from
 * outside, without touching the roles.
 */

/** What the relay removes on the way to the UE. */
export interface StripRules {
  /** Headers removed from a 200 OK to REGISTER. */
  registerOk?: string[];
  /** Headers removed from requests the core sends to the UE. */
  requests?: string[];
}
import * as dgram from 'node:dgram';
import { AddressInfo } from 'node:net';
import { parseMessage } from '@lib/sip';

export class HeaderStrippingRelay {
  private readonly front = dgram.createSocket('udp4');
  private readonly upstreams = new Map<string, dgram.Socket>();
  /** How many messages lost a header on the way (the fault did happen). */
  stripped = 0;

  private constructor(
    private readonly pcscf: { host: string; port: number },
    private readonly strip: StripRules,
  ) {}

  static async start(
    pcscf: { host: string; port: number },
    strip: StripRules,
  ): Promise<HeaderStrippingRelay> {
    const relay = new HeaderStrippingRelay(pcscf, strip);
    await new Promise<void>((resolve) => relay.front.bind(0, '127.0.0.1', resolve));
    relay.front.on('message', (data, from) => void relay.fromUe(data, from));
    return relay;
  }

  get port(): number {
    return (this.front.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of [this.front, ...this.upstreams.values()]) {
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  }

  private async fromUe(data: Buffer, from: dgram.RemoteInfo): Promise<void> {
    const key = `${from.address}:${from.port}`;
    let up = this.upstreams.get(key);
    if (!up) {
      up = dgram.createSocket('udp4');
      this.upstreams.set(key, up);
      await new Promise<void>((resolve) => up!.bind(0, '127.0.0.1', resolve));
      up.on('message', (back) => this.front.send(this.towardsUe(back), from.port, from.address));
    }
    up.send(data, this.pcscf.port, this.pcscf.host);
  }

  private towardsUe(data: Buffer): Buffer {
    let message;
    try {
      message = parseMessage(data);
    } catch {
      return data; // keep-alives and anything unparseable pass untouched
    }
    const strip = message.isRequest()
      ? (this.strip.requests ?? [])
      : message.status === 200 && message.cseq().method === 'REGISTER'
        ? (this.strip.registerOk ?? [])
        : [];
    const present = strip.filter((h) => message.has(h));
    if (present.length === 0) return data;
    for (const h of present) message.remove(h);
    this.stripped++;
    return message.toBuffer();
  }
}
