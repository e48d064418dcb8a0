import { Inject, Injectable } from '@nestjs/common';
import { DiameterNode } from '@lib/diameter';
import type { CxHealthProbe, CxHealthStatus } from '../health/cx-health';
import { DIAMETER_NODE } from './diameter-node.provider';

/** Where the Cx server listens, shared by CxServer (writer) and CxHealth (reader). */
@Injectable()
export class CxListenState {
  port: number | null = null;
}

/** `/health` view of the Cx side: listening or not, and each peer with its RFC 6733 §5.6 state. */
@Injectable()
export class CxHealth implements CxHealthProbe {
  constructor(
    @Inject(DIAMETER_NODE) private readonly node: DiameterNode,
    private readonly listen: CxListenState,
  ) {}

  status(): CxHealthStatus {
    return {
      listening: this.listen.port !== null,
      port: this.listen.port,
      peers: this.node.peers().map((p) => ({ originHost: p.originHost, state: String(p.state) })),
    };
  }
}
