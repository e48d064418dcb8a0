/** An iFC that cannot be evaluated (e.g. an invalid regular expression); names the iFC. */
export class IfcError extends Error {
  constructor(
    readonly priority: number,
    readonly problem: string,
  ) {
    super(`iFC (Priority ${priority}): ${problem}`);
    this.name = 'IfcError';
  }
}
