/**
 * The Diameter dictionary: AVP and command definitions built once from the spec tables
 * (base-protocol.ts, supporting-avps.ts, cx-application.ts) and indexed in Maps, so lookups by
 * (vendor, code), by name and by (application, command code, R bit) never scan a list.
 */
import { parseCommandAbnf, parseGroupedAbnf } from './abnf';
import { BASE_AVPS, BASE_COMMANDS, BASE_ENUMERATIONS, BASE_GROUPED } from './base-protocol';
import {
  CX_APPLICATION_ID,
  CX_AVPS,
  CX_COMMANDS,
  CX_ENUMERATIONS,
  CX_GROUPED,
  VENDOR_3GPP,
} from './cx-application';
import type {
  ApplicationDefinition,
  AvpDefinition,
  AvpRow,
  CommandDefinition,
  MBitRule,
} from './definitions';
import {
  ETSI_AVPS,
  ETSI_VENDOR_ID,
  SUPPORTING_AVPS,
  SUPPORTING_ENUMERATIONS,
  SUPPORTING_GROUPED,
} from './supporting-avps';

/** RFC 6733 §2.4: application 0 carries the base protocol's own commands. */
export const BASE_APPLICATION_ID = 0;

const M_BIT: Record<AvpRow[3], MBitRule> = { M: 'must', m: 'may', '-': 'mustnot' };

export class Dictionary {
  private readonly avpsByVendor = new Map<number, Map<number, AvpDefinition>>();
  private readonly avpsByName = new Map<string, AvpDefinition>();
  private readonly commandsByKey = new Map<string, CommandDefinition>();
  private readonly commandsByName = new Map<string, CommandDefinition>();
  private readonly applicationsById = new Map<number, ApplicationDefinition>();
  private readonly applicationsByName = new Map<string, ApplicationDefinition>();

  addApplication(app: ApplicationDefinition): void {
    this.applicationsById.set(app.id, app);
    this.applicationsByName.set(app.name, app);
  }

  addAvps(
    vendorId: number,
    rows: AvpRow[],
    enumerations: Record<string, Record<number, string>> = {},
  ): void {
    for (const [name, code, type, m, reference] of rows) {
      const values = enumerations[name];
      const def: AvpDefinition = {
        name,
        code,
        vendorId,
        type,
        mBit: M_BIT[m],
        reference,
        enumValues: values
          ? new Map(Object.entries(values).map(([k, v]) => [Number(k), v]))
          : undefined,
      };
      let byCode = this.avpsByVendor.get(vendorId);
      if (!byCode) this.avpsByVendor.set(vendorId, (byCode = new Map()));
      if (byCode.has(code) || this.avpsByName.has(name)) {
        throw new Error(`dictionary: duplicate AVP ${name} (${vendorId}:${code})`);
      }
      byCode.set(code, def);
      this.avpsByName.set(name, def);
    }
  }

  /** Attaches Grouped AVP formats (RFC 6733 §4.4) to their AVPs. */
  addGrouped(abnfs: string[]): void {
    for (const text of abnfs) {
      const g = parseGroupedAbnf(text);
      const def = this.avp(g.code, g.vendorId);
      if (!def || def.name !== g.name || def.type !== 'Grouped') {
        throw new Error(`dictionary: grouped ABNF for unknown AVP ${g.name}`);
      }
      this.checkRuleNames(g.name, g.rules);
      (def as { rules?: unknown }).rules = g.rules;
    }
  }

  addCommands(commands: { name: string; request: string; answer: string }[]): void {
    for (const c of commands) {
      for (const [suffix, text] of [
        ['Request', c.request],
        ['Answer', c.answer],
      ] as const) {
        const abnf = parseCommandAbnf(text);
        const def: CommandDefinition = {
          name: `${c.name}-${suffix}`,
          abbreviation: abnf.abbreviation,
          code: abnf.code,
          applicationId: abnf.applicationId,
          request: abnf.request,
          proxiable: abnf.proxiable,
          rules: abnf.rules,
        };
        if (def.request !== (suffix === 'Request')) {
          throw new Error(`dictionary: ${def.name} REQ flag does not match`);
        }
        this.checkRuleNames(def.name, def.rules);
        this.commandsByKey.set(
          Dictionary.commandKey(def.applicationId, def.code, def.request),
          def,
        );
        this.commandsByName.set(def.name, def);
        this.commandsByName.set(def.abbreviation, def);
      }
    }
  }

  private checkRuleNames(owner: string, rules: readonly { name: string }[]): void {
    for (const r of rules) {
      if (r.name !== 'AVP' && !this.avpsByName.has(r.name)) {
        throw new Error(`dictionary: ${owner} refers to unknown AVP ${r.name}`);
      }
    }
  }

  private static commandKey(applicationId: number, code: number, request: boolean): string {
    return `${applicationId}:${code}:${request ? 'R' : 'A'}`;
  }

  /** The AVP with this code and Vendor-Id (0 = none). */
  avp(code: number, vendorId = 0): AvpDefinition | undefined {
    return this.avpsByVendor.get(vendorId)?.get(code);
  }

  avpByName(name: string): AvpDefinition | undefined {
    return this.avpsByName.get(name);
  }

  /**
   * The command with this code in this application (request or answer). RFC 6733 §2.4: the
   * base commands (CER, DWR, DPR) are defined in application 0 and found from any application.
   */
  command(code: number, applicationId: number, request: boolean): CommandDefinition | undefined {
    return (
      this.commandsByKey.get(Dictionary.commandKey(applicationId, code, request)) ??
      this.commandsByKey.get(Dictionary.commandKey(BASE_APPLICATION_ID, code, request))
    );
  }

  /** By full name ("Multimedia-Auth-Request") or abbreviation ("MAR"). */
  commandByName(name: string): CommandDefinition | undefined {
    return this.commandsByName.get(name);
  }

  application(idOrName: number | string): ApplicationDefinition | undefined {
    return typeof idOrName === 'number'
      ? this.applicationsById.get(idOrName)
      : this.applicationsByName.get(idOrName);
  }

  /** Whether the application has any command in this dictionary. */
  hasApplication(id: number): boolean {
    return this.applicationsById.has(id);
  }
}

/** Builds the dictionary this library speaks: RFC 6733 base protocol + 3GPP Cx/Dx. */
export function createDefaultDictionary(): Dictionary {
  const d = new Dictionary();
  d.addApplication({ name: 'Base', id: BASE_APPLICATION_ID, vendorId: 0 });
  d.addApplication({ name: 'Cx', id: CX_APPLICATION_ID, vendorId: VENDOR_3GPP });
  d.addAvps(0, BASE_AVPS, BASE_ENUMERATIONS);
  d.addAvps(0, SUPPORTING_AVPS, SUPPORTING_ENUMERATIONS);
  d.addAvps(ETSI_VENDOR_ID, ETSI_AVPS);
  d.addAvps(VENDOR_3GPP, CX_AVPS, CX_ENUMERATIONS);
  d.addGrouped(BASE_GROUPED);
  d.addGrouped(SUPPORTING_GROUPED);
  d.addGrouped(CX_GROUPED);
  d.addCommands(BASE_COMMANDS);
  d.addCommands(CX_COMMANDS);
  return d;
}

/** The shared, immutable-by-convention default dictionary. */
export const dictionary: Dictionary = createDefaultDictionary();
