/** Malformed XML, with the 1-based line and column where parsing stopped. */
export class XmlError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`XML: ${problem} at line ${line}, column ${column}`);
    this.name = 'XmlError';
  }
}
