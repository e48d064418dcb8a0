import { PEER_TRANSITIONS, PeerState, winsElection } from './peer-state';

describe('RFC 6733 §5.6 peer states', () => {
  it('names the states as Kamailio cdp does', () => {
    expect(Object.values(PeerState)).toEqual([
      'Closed',
      'WaitConnAck',
      'WaitICEA',
      'WaitConnAckElect',
      'WaitReturns',
      'ROpen',
      'IOpen',
      'Closing',
    ]);
  });
  it('allows only the moves of the state table', () => {
    expect(PEER_TRANSITIONS[PeerState.Closed]).toEqual([PeerState.WaitConnAck, PeerState.ROpen]);
    expect(PEER_TRANSITIONS[PeerState.IOpen]).not.toContain(PeerState.ROpen);
    expect(PEER_TRANSITIONS[PeerState.Closing]).toEqual([PeerState.Closed]);
    // Every open state is reachable and every state can reach Closed.
    for (const s of Object.values(PeerState)) {
      if (s !== PeerState.Closed) expect(PEER_TRANSITIONS[s]).toContain(PeerState.Closed);
    }
  });
  it('§5.6.4 election: the higher Origin-Host wins, case-insensitively', () => {
    expect(winsElection('b.example', 'a.example')).toBe(true);
    expect(winsElection('a.example', 'b.example')).toBe(false);
    expect(winsElection('B.EXAMPLE', 'a.example')).toBe(true);
    expect(winsElection('A.example', 'a.example')).toBe(false);
  });
});
