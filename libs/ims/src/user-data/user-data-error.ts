/**
 * An IMSSubscription document (or model) that does not follow TS 29.228 CxDataType.xsd:
 * `path` names the element, e.g. `IMSSubscription/ServiceProfile[1]/PublicIdentity[0]`.
 */
export class UserDataError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`User-Data: ${path} ${problem}`);
    this.name = 'UserDataError';
  }
}
