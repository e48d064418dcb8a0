/**
 * One TCP transport connection to a peer (RFC 6733 §2.1): frames the stream into messages,
 * decodes them, and writes encoded messages.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { DiameterDecodeError } from '../codec/diameter-error';
import { DiameterMessage, decodeMessage, encodeMessage } from '../codec/diameter-message';
import { FramingError, MessageFramer } from './message-framer';

/** The real setImmediate, even where a test installs fake timers later. */
const defer = setImmediate;

/** 'I' = this node initiated it, 'R' = the peer did (RFC 6733 §5.6). */
export type ConnectionKind = 'I' | 'R';

/** Which way a traced message went: received from the peer, or sent to it. */
export type DiameterTraceDirection = 'in' | 'out';

/**
 * Observes every message a connection decodes (`in`) or sends (`out`): metrics, a message
 * trace. It must not throw; an exception is ignored (the connection keeps serving).
 */
export type DiameterTracer = (
  direction: DiameterTraceDirection,
  message: DiameterMessage,
  connection: DiameterConnection,
) => void;

export interface DiameterConnectionEvents {
  message: [DiameterMessage];
  'decode-error': [DiameterDecodeError, Buffer];
  close: [string];
}

export class DiameterConnection extends EventEmitter<DiameterConnectionEvents> {
  private readonly framer = new MessageFramer();
  private closedReason?: string;
  /** True while writes are gathered for one socket write at the end of this event-loop turn. */
  private corked = false;

  constructor(
    readonly socket: Socket,
    readonly kind: ConnectionKind,
    private readonly tracer?: DiameterTracer,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => (this.closedReason ??= `socket error: ${e.message}`));
    socket.on('close', () => {
      this.closedReason ??= 'connection closed by peer';
      this.emit('close', this.closedReason);
    });
  }

  get closed(): boolean {
    return this.closedReason !== undefined || this.socket.destroyed;
  }

  get remote(): { address: string; port: number } {
    return { address: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (e) {
      if (e instanceof FramingError) {
        this.destroy(e.message);
        return;
      }
      throw e;
    }
    for (const frame of frames) {
      if (this.closed) return;
      let msg: DiameterMessage;
      try {
        msg = decodeMessage(frame);
      } catch (e) {
        if (e instanceof DiameterDecodeError) {
          try {
            this.emit('decode-error', e, frame);
          } catch (inner) {
            this.destroy(
              `internal error: ${inner instanceof Error ? inner.message : String(inner)}`,
            );
            return;
          }
          continue;
        }
        throw e;
      }
      this.trace('in', msg);
      try {
        this.emit('message', msg);
      } catch (e) {
        // A bug above must not become an uncaught exception in the socket's data handler.
        this.destroy(`internal error: ${e instanceof Error ? e.message : String(e)}`);
        return;
      }
    }
  }

  /**
   * Writes one message; false when the connection is already closed. Messages written in the
   * same event-loop turn (the answers to every request of one read, say) leave in one socket
   * write: the socket is corked on the first and uncorked once the turn's I/O callbacks ran,
   * so a busy peer pays one system call per batch instead of one per message.
   */
  send(msg: DiameterMessage): boolean {
    if (this.closed) return false;
    this.trace('out', msg);
    const bytes = encodeMessage(msg);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      defer(this.uncork);
    }
    this.socket.write(bytes);
    return true;
  }

  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  private trace(direction: DiameterTraceDirection, msg: DiameterMessage): void {
    if (!this.tracer) return;
    try {
      this.tracer(direction, msg, this);
    } catch {
      // A tracer must not take the connection down.
    }
  }

  /** Half-closes after pending writes, then destroys. */
  close(reason: string): void {
    if (this.closed) return;
    this.closedReason = reason;
    this.socket.end(() => this.socket.destroy());
  }

  destroy(reason: string): void {
    this.closedReason ??= reason;
    this.socket.destroy();
  }
}
