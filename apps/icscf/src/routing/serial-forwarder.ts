import {
  createResponse,
  formatHost,
  proxyBranch,
  type Destination,
  type ProxyRequest,
  type SipResponse,
  type SipStack,
} from '@lib/sip';

/** One S-CSCF to try: where to send, and a label for logs and Warning texts. */
export interface SerialTarget {
  label: string;
  destination: Destination;
}

/** How one attempt ended. */
export interface Attempt {
  target: SerialTarget;
  status: number;
}

export type SerialResult =
  /** A final response was relayed upstream. */
  | { kind: 'relayed'; response: SipResponse; attempts: Attempt[] }
  /** Every target failed to answer (timeout, 408, 503, transport error). */
  | { kind: 'exhausted'; attempts: Attempt[] };

const BRANCH_COUNTER = 'serial-forwarder/branches';

/**
 * Sequential forwarding (RFC 3261 §16.5-§16.7 with a target set tried one at a time, as
 * TS 24.229 §5.3.1.3 asks of the I-CSCF: when the selected S-CSCF does not answer, "select a
 * new S-CSCF"). The proxy core of @lib/sip forks in parallel, so this adapter builds each
 * forwarded copy itself, following §16.6: copy, Max-Forwards - 1, Via with a loop-detecting
 * branch, send in a client transaction to the explicit next hop. Provisional responses
 * other than 100 are relayed at once; a final response that means "no answer" (408, 503, or
 * the locally generated ones for timer F / a transport error) moves on to the next target;
 * any other final response is relayed (top Via popped, §16.7 step 3) and ends the walk.
 *
 * The Request-URI and Route stay as they are: the target is the next hop only.
 */
export class SerialForwarder {
  constructor(
    private readonly stack: SipStack,
    private readonly isNoAnswer: (status: number) => boolean = (s) => s === 408 || s === 503,
  ) {}

  async forward(pr: ProxyRequest, targets: SerialTarget[]): Promise<SerialResult> {
    const attempts: Attempt[] = [];
    for (const target of targets) {
      const response = await this.attempt(pr, target);
      attempts.push({ target, status: response.status });
      if (this.isNoAnswer(response.status)) continue;
      const upstream = response.clone();
      upstream.removeFirst('Via');
      pr.respondWith(upstream);
      return { kind: 'relayed', response: upstream, attempts };
    }
    return { kind: 'exhausted', attempts };
  }

  /** One client transaction; resolves with its final response (or a local 408/503). */
  private attempt(pr: ProxyRequest, target: SerialTarget): Promise<SipResponse> {
    const copyNumber = (pr.data.get(BRANCH_COUNTER) as number | undefined) ?? 0;
    pr.data.set(BRANCH_COUNTER, copyNumber + 1);
    const copy = pr.request.clone();
    const maxForwards = copy.maxForwards();
    copy.set('Max-Forwards', String(maxForwards === undefined ? 70 : maxForwards - 1));
    const self = this.stack.transportLayer.sentBy(target.destination.transport);
    copy.prepend(
      'Via',
      `SIP/2.0/${target.destination.transport} ${formatHost(self.host)}:${self.port};branch=${proxyBranch(pr.loopHash, copyNumber)}`,
    );
    return new Promise((resolve) => {
      try {
        this.stack.sendRequest(copy, target.destination, {
          receiveResponse: (response) => {
            if (response.status >= 200) resolve(response);
            else if (response.status > 100) {
              const upstream = response.clone();
              upstream.removeFirst('Via');
              pr.respondWith(upstream);
            }
          },
          onRequestTimeout: () => resolve(createResponse(copy, 408)),
          onTransportError: () => resolve(createResponse(copy, 503)),
        });
      } catch {
        resolve(createResponse(copy, 503));
      }
    });
  }
}
