import { DiameterNode } from '@lib/diameter';

/**
 * Destination-Realm for a request to a connected peer: the Origin-Realm it announced in its
 * CER when the peer object carries it, else ours (the S-CSCFs of a home network share the
 * home realm).
 */
export function peerRealm(node: DiameterNode, host: string, fallback: string): string {
  const peer = node.peers().find((p) => p.originHost === host) as
    { originRealm?: string } | undefined;
  return peer?.originRealm ?? fallback;
}
