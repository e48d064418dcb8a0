import { CsvError, parseCsv } from './csv';

describe('parseCsv (RFC 4180)', () => {
  it('reads a header and records, LF or CRLF, skipping empty lines, trimming cells', () => {
    const { header, records } = parseCsv(
      'imsi,msisdn,k\r\n001010000000001, 15550001 ,aa\n\n001010000000002,,bb\n',
    );
    expect(header).toEqual(['imsi', 'msisdn', 'k']);
    expect(records).toEqual([
      { line: 2, fields: { imsi: '001010000000001', msisdn: '15550001', k: 'aa' } },
      { line: 4, fields: { imsi: '001010000000002', k: 'bb' } },
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, keeping line numbers', () => {
    const { records } = parseCsv('a,b\n"x, y","say ""hi"""\n"multi\nline",z\nlast,"q"');
    expect(records).toEqual([
      { line: 2, fields: { a: 'x, y', b: 'say "hi"' } },
      { line: 3, fields: { a: 'multi\nline', b: 'z' } },
      { line: 5, fields: { a: 'last', b: 'q' } },
    ]);
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(parseCsv('\uFEFFimsi\n1').header).toEqual(['imsi']);
  });

  it.each([
    ['', 1, 'empty file: a header line is required'],
    ['a,,b\n1,2,3', 1, 'empty column name in the header'],
    ['a,b\n1,2\n1,2,3', 3, '3 fields for 2 columns'],
    ['a,b\n"open,2', 2, 'unterminated quoted field'],
  ])('rejects %j at line %i: %s', (text, line, message) => {
    let err: unknown;
    try {
      parseCsv(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvError);
    expect(err).toMatchObject({ line, message: `line ${line}: ${message}` });
  });
});
