/** A CSV problem, with the 1-based line it is on. */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** One data record: its fields by header name and the line it starts on. */
export interface CsvRecord {
  line: number;
  fields: Record<string, string>;
}

/**
 * Parses RFC 4180 CSV (comma separated, CRLF or LF, fields optionally in double quotes with
 * "" as an escaped quote). The first record is the header; empty lines are skipped; a record
 * with more fields than the header is an error.
 */
export function parseCsv(text: string): { header: string[]; records: CsvRecord[] } {
  const rows = splitRecords(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) throw new CsvError(1, 'empty file: a header line is required');
  const header = rows[0].cells.map((h) => h.trim());
  if (header.some((h) => h === ''))
    throw new CsvError(rows[0].line, 'empty column name in the header');
  const records: CsvRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.cells.length > header.length) {
      throw new CsvError(row.line, `${row.cells.length} fields for ${header.length} columns`);
    }
    const fields: Record<string, string> = {};
    header.forEach((name, i) => {
      const v = row.cells[i];
      if (v !== undefined && v.trim() !== '') fields[name] = v.trim();
    });
    records.push({ line: row.line, fields });
  }
  return { header, records };
}

function splitRecords(text: string): { line: number; cells: string[] }[] {
  // Fast path: without quotes every line is one record and every comma a separator.
  if (!text.includes('"')) {
    const out: { line: number; cells: string[] }[] = [];
    const lines = text.split(/\r\n|\n|\r/);
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].trim() !== '') out.push({ line: i + 1, cells: lines[i].split(',') });
    }
    return out;
  }
  const out: { line: number; cells: string[] }[] = [];
  let line = 1;
  let start = 1;
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === '')) out.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      start = line;
    } else {
      cell += c;
    }
    i++;
  }
  if (quoted) throw new CsvError(start, 'unterminated quoted field');
  if (cell !== '' || cells.length) endRecord();
  return out;
}
