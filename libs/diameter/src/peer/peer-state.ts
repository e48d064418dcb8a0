/**
 * RFC 6733 §5.6 peer state machine states (names as in Kamailio cdp `peer.h`).
 *
 * "Closed", "Wait-Conn-Ack", "Wait-I-CEA", "Wait-Conn-Ack/Elect", "Wait-Returns", "R-Open",
 * "I-Open", "Closing". The I- prefix is the connection this node initiated, R- the one the peer
 * initiated (responder side).
 */
export enum PeerState {
  Closed = 'Closed',
  WaitConnAck = 'WaitConnAck',
  WaitICEA = 'WaitICEA',
  WaitConnAckElect = 'WaitConnAckElect',
  WaitReturns = 'WaitReturns',
  ROpen = 'ROpen',
  IOpen = 'IOpen',
  Closing = 'Closing',
}

/** The legal moves of the §5.6 state table; stateTransition() rejects any other. */
export const PEER_TRANSITIONS: Readonly<Record<PeerState, readonly PeerState[]>> = {
  [PeerState.Closed]: [PeerState.WaitConnAck, PeerState.ROpen],
  [PeerState.WaitConnAck]: [PeerState.WaitICEA, PeerState.WaitConnAckElect, PeerState.Closed],
  [PeerState.WaitICEA]: [PeerState.IOpen, PeerState.WaitReturns, PeerState.Closed],
  [PeerState.WaitConnAckElect]: [
    PeerState.WaitReturns,
    PeerState.ROpen,
    PeerState.WaitConnAck,
    PeerState.Closed,
  ],
  [PeerState.WaitReturns]: [PeerState.ROpen, PeerState.IOpen, PeerState.WaitICEA, PeerState.Closed],
  [PeerState.ROpen]: [PeerState.Closing, PeerState.Closed],
  [PeerState.IOpen]: [PeerState.Closing, PeerState.Closed],
  [PeerState.Closing]: [PeerState.Closed],
};

/** RFC 3539 §3.4.1 watchdog states (REOPEN is folded into the CER/CEA exchange). */
export enum WatchdogState {
  OKAY = 'OKAY',
  SUSPECT = 'SUSPECT',
  DOWN = 'DOWN',
}

/**
 * RFC 6733 §5.6.4 election: "The responder compares the Origin-Host received in the CER with its
 * own Origin-Host as two streams of octets. If the local Origin-Host lexicographically succeeds
 * the received Origin-Host, a Win-Election event is issued locally." (case-insensitive)
 */
export function winsElection(localOriginHost: string, remoteOriginHost: string): boolean {
  return localOriginHost.toLowerCase() > remoteOriginHost.toLowerCase();
}
