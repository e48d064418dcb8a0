import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  buildLia,
  buildMaa,
  buildSaa,
  buildUaa,
  createErrorAnswer,
  CX_APPLICATION_ID,
  DiameterDecodeError,
  DiameterMessage,
  DiameterNode,
  DiameterPeer,
  parseLir,
  parseMar,
  parseSar,
  parseUar,
  ResultCode,
  validateRequest,
} from '@lib/diameter';
import { AttemptRecord, AttemptRecorder } from './attempt-recorder.service';
import { CxListenState } from './cx-health.service';
import { CxOutcome, DIAMETER_UNABLE_TO_COMPLY } from './cx-outcome';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { DIAMETER_NODE } from './diameter-node.provider';
import { LirHandler } from './lir.handler';
import { MarHandler } from './mar.handler';
import { SarHandler } from './sar.handler';
import { UarHandler } from './uar.handler';

/** Cx command codes (TS 29.229 Table 6.1.1). */
const CxCommand = { UAR: 300, SAR: 301, LIR: 302, MAR: 303 } as const;

function commandAbbreviation(code: number): AttemptRecord['command'] | undefined {
  return (Object.keys(CxCommand) as (keyof typeof CxCommand)[]).find((k) => CxCommand[k] === code);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/**
 * The Cx server: starts the Diameter node, validates each request against the dictionary,
 * hands it to the handler of its command (split as Kamailio's cxdx_uar.c / cxdx_lir.c) and
 * answers. Every request and outcome goes to the registration trace.
 */
@Injectable()
export class CxServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CxServer');
  /** Cx requests being served now (awaiting the database). */
  private pending = 0;
  /** Requests answered DIAMETER_TOO_BUSY since start (and since the last log line). */
  shedTotal = 0;
  private shedSinceLog = 0;
  private lastShedLog = 0;

  constructor(
    @Inject(DIAMETER_NODE) private readonly node: DiameterNode,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
    private readonly listenState: CxListenState,
    private readonly recorder: AttemptRecorder,
    private readonly uar: UarHandler,
    private readonly mar: MarHandler,
    private readonly sar: SarHandler,
    private readonly lir: LirHandler,
  ) {}

  async onModuleInit(): Promise<void> {
    this.node.on('error', (err: Error) => this.logger.warn(`Diameter: ${err.message}`));
    this.node.on('peer-up', (peer: DiameterPeer) => this.logger.log(`peer up: ${peer.originHost}`));
    this.node.on('peer-down', (peer: DiameterPeer, reason?: unknown) =>
      this.logger.log(`peer down: ${peer.originHost ?? '?'} (${String(reason ?? '')})`),
    );
    this.node.onRequest((req, peer) => this.dispatch(req, peer));
    const { port } = await this.node.listen(this.settings.diameterPort, this.settings.diameterHost);
    this.listenState.port = port;
    this.logger.log(
      `Cx listening on ${this.settings.diameterHost}:${port} as ${this.settings.originHost}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.listenState.port = null;
    await this.node.close();
  }

  /** Cx requests being served at this moment. */
  get pendingCount(): number {
    return this.pending;
  }

  /**
   * One Cx request in, one answer out; never throws (a failure answers UNABLE_TO_COMPLY).
   *
   * Load shedding: with HSS_MAX_PENDING_CX requests already being served, a new one is
   * answered at once with DIAMETER_TOO_BUSY (RFC 6733 §7.1.3: "the peer is too busy to
   * provide the requested service"; the E bit set, §7.1), without touching the database or
   * the attempt log, instead of queueing without bound. The CSCFs answer their UE 480 with
   * Retry-After (TS 24.229 §5.3.1.2 / §5.4.1.2: the HSS cannot be used now).
   */
  async dispatch(req: DiameterMessage, peer: DiameterPeer): Promise<DiameterMessage> {
    const max = this.settings.maxPendingCx;
    if (max > 0 && this.pending >= max) return this.shed(req);
    this.pending++;
    try {
      return await this.serve(req, peer);
    } finally {
      this.pending--;
    }
  }

  private shed(req: DiameterMessage): DiameterMessage {
    this.shedTotal++;
    this.shedSinceLog++;
    const now = Date.now();
    if (now - this.lastShedLog >= 1000) {
      this.logger.warn(
        `${this.shedSinceLog} Cx request(s) answered DIAMETER_TOO_BUSY (${this.settings.maxPendingCx} pending, HSS_MAX_PENDING_CX)`,
      );
      this.shedSinceLog = 0;
      this.lastShedLog = now;
    }
    return this.errorAnswer(req, ResultCode.TOO_BUSY, 'too many pending Cx requests');
  }

  private async serve(req: DiameterMessage, peer: DiameterPeer): Promise<DiameterMessage> {
    const originHost = String(req.get('Origin-Host') ?? peer.originHost ?? '');
    const invalid = this.validate(req, originHost);
    if (invalid) return invalid;
    try {
      switch (req.commandCode) {
        case CxCommand.UAR: {
          const r = parseUar(req);
          const out = await this.uar.handle(r);
          this.trace('UAR', { impi: r.userName, impu: r.publicIdentity }, out, originHost);
          return buildUaa(req, {
            ...out,
            ...this.origin(),
          });
        }
        case CxCommand.MAR: {
          const r = parseMar(req);
          const out = await this.mar.handle({ ...r, originHost });
          this.trace('MAR', { impi: r.userName, impu: r.publicIdentity }, out, originHost);
          return buildMaa(req, { ...out, ...this.origin() });
        }
        case CxCommand.SAR: {
          const r = parseSar(req);
          const out = await this.sar.handle({ ...r, originHost });
          this.trace(
            'SAR',
            { impi: out.userName ?? r.userName, impu: r.publicIdentities[0] },
            out,
            originHost,
          );
          return buildSaa(req, { ...out, ...this.origin() });
        }
        case CxCommand.LIR: {
          const r = parseLir(req);
          const out = await this.lir.handle(r);
          this.trace('LIR', { impu: r.publicIdentity }, out, originHost);
          return buildLia(req, {
            ...out,
            ...this.origin(),
          });
        }
        default:
          // RTR/PPR are requests the HSS sends, never serves (TS 29.229 Table 6.1.1).
          return this.errorAnswer(
            req,
            ResultCode.COMMAND_UNSUPPORTED,
            `${req.commandName ?? req.commandCode} is not served by the HSS`,
          );
      }
    } catch (err) {
      if (err instanceof DiameterDecodeError) {
        // A typed view found a required AVP missing or malformed (5005 / 5004, Failed-AVP).
        return createErrorAnswer(req, err.resultCode, err.failedAvp, {
          ...this.origin(),
          errorMessage: err.message,
        });
      }
      this.logger.error(
        `${req.commandName ?? req.commandCode} from ${originHost}: ${(err as Error).stack}`,
      );
    }
    return this.errorAnswer(req, DIAMETER_UNABLE_TO_COMPLY, 'internal error');
  }

  /**
   * The request against its command's ABNF in the dictionary (RFC 6733 §6.2 / §7): unknown
   * application 3007, unknown command 3001, unsupported M-bit AVP 5001, bad value 5004,
   * missing AVP 5005 (with the zero-filled Failed-AVP of §7.5), ...
   */
  private validate(req: DiameterMessage, originHost: string): DiameterMessage | null {
    const failure = validateRequest(req, { applicationIds: [CX_APPLICATION_ID] });
    if (!failure) return null;
    const command = commandAbbreviation(req.commandCode);
    if (command) {
      this.recorder.record({
        command,
        impi: stringOrNull(req.get('User-Name')),
        impu: stringOrNull(req.get('Public-Identity')),
        resultCode: failure.resultCode,
        experimental: false,
        originHost,
        detail: `${command} rejected: ${failure.errorMessage}`,
      });
    }
    return createErrorAnswer(req, failure.resultCode, failure.failedAvp, {
      originHost: this.settings.originHost,
      originRealm: this.settings.originRealm,
      errorMessage: failure.errorMessage,
    });
  }

  private errorAnswer(req: DiameterMessage, resultCode: number, message: string): DiameterMessage {
    return createErrorAnswer(req, resultCode, undefined, {
      originHost: this.settings.originHost,
      originRealm: this.settings.originRealm,
      errorMessage: message,
    });
  }

  /** Origin-Host / Origin-Realm of every answer (RFC 6733 §6.3, §6.4). */
  private origin(): { originHost: string; originRealm: string } {
    return { originHost: this.settings.originHost, originRealm: this.settings.originRealm };
  }

  private trace(
    command: AttemptRecord['command'],
    ids: { impi?: string; impu?: string },
    out: CxOutcome,
    originHost: string,
  ): void {
    this.recorder.record({
      command,
      impi: ids.impi ?? null,
      impu: ids.impu ?? null,
      resultCode: out.resultCode,
      experimental: out.experimental,
      originHost,
      detail: out.detail,
    });
  }
}
