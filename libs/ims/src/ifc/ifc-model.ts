/**
 * The initial filter criteria of the IMS user profile, TS 29.228 Annex B (UML model, Figures
 * B.2.1–B.2.3) and Annex C/E (XML schema CxDataType.xsd). Enumerations keep the schema's
 * meaning under readable names; `user-data` maps them to and from the XML integers.
 */

/**
 * tDirectionOfRequest (TS 29.228 Annex C): 0 ORIGINATING_REGISTERED, 1 TERMINATING_REGISTERED,
 * 2 TERMINATING_UNREGISTERED, 3 ORIGINATING_UNREGISTERED, 4 ORIGINATING_CDIV.
 */
export type SessionCase =
  | 'originating'
  | 'terminating-registered'
  | 'terminating-unregistered'
  | 'originating-unregistered'
  | 'originating-cdiv';

/** tDefaultHandling: 0 SESSION_CONTINUED, 1 SESSION_TERMINATED. */
export type DefaultHandling = 'session-continued' | 'session-terminated';

/** tProfilePartIndicator: 0 REGISTERED, 1 UNREGISTERED. */
export type ProfilePartIndicator = 'registered' | 'unregistered';

/** tRegistrationType (SPT Extension): 0 INITIAL, 1 RE-REGISTRATION, 2 DE-REGISTRATION. */
export type RegistrationType = 'initial' | 're-registration' | 'de-registration';

/** What one Service Point Trigger tests (exactly one per SPT, TS 29.228 Annex B.2.2). */
export type SptCondition =
  | { kind: 'method'; method: string }
  | { kind: 'request-uri'; requestUri: string }
  | { kind: 'sip-header'; header: string; content?: string }
  | { kind: 'session-case'; sessionCase: SessionCase }
  | { kind: 'session-description'; line: string; content?: string };

/** A Service Point Trigger (tSePoTri). */
export type ServicePointTrigger = SptCondition & {
  /** ConditionNegated: the SPT's result is inverted. */
  conditionNegated: boolean;
  /** Group: the groups (one or more) this SPT belongs to for CNF/DNF evaluation. */
  groups: number[];
  /**
   * Extension/RegistrationType: for an SPT on Method REGISTER, the kinds of registration it
   * applies to; absent or empty means every REGISTER.
   */
  registrationTypes?: RegistrationType[];
};

/** A Trigger Point (tTrigger): SPTs combined in CNF or DNF. */
export interface TriggerPoint {
  /**
   * ConditionTypeCNF: true = Conjunctive Normal Form (an AND of groups, each an OR of its
   * SPTs); false = Disjunctive Normal Form (an OR of groups, each an AND of its SPTs).
   */
  conditionTypeCnf: boolean;
  spts: ServicePointTrigger[];
}

/** tApplicationServer. */
export interface ApplicationServer {
  /** ServerName: the SIP URI of the AS. */
  serverName: string;
  /** DefaultHandling when the AS cannot be reached (absent = SESSION_CONTINUED). */
  defaultHandling?: DefaultHandling;
  /** ServiceInfo: transparent data for the AS (sent in third-party REGISTER bodies). */
  serviceInfo?: string;
  /** Extension/IncludeRegisterRequest (Rel-9+): include the REGISTER in third-party REGISTER. */
  includeRegisterRequest?: boolean;
  /** Extension/IncludeRegisterResponse (Rel-9+): include the 200 OK in third-party REGISTER. */
  includeRegisterResponse?: boolean;
}

/** tInitialFilterCriteria. */
export interface InitialFilterCriteria {
  /** Priority: lower values are evaluated first ("the higher the Priority number the lower the priority"). */
  priority: number;
  /** TriggerPoint; absent means the iFC applies unconditionally. */
  triggerPoint?: TriggerPoint;
  applicationServer: ApplicationServer;
  /** ProfilePartIndicator; absent means the iFC applies in both states. */
  profilePartIndicator?: ProfilePartIndicator;
}

/** The part of a service profile that iFC evaluation needs. */
export interface IfcProfile {
  initialFilterCriteria: InitialFilterCriteria[];
}
