import { childElements, parseXml, textContent } from './xml-parser';
import { XmlError } from './xml-error';
import { keptStringTypes } from '@lib/sip/memory/kept-string-types';
import { escapeXmlAttribute, escapeXmlText } from './xml-escape';

describe('parseXml (XML 1.0, non-validating)', () => {
  it('reads elements, attributes, text, entities, CDATA, comments and PIs', () => {
    const doc = parseXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><a x="1" y=\'&lt;2&gt;\'>t&amp;u<b/><?pi data?>' +
        '<c><![CDATA[<raw & "x">]]>&#65;&#x42;&quot;&apos;</c><!-- inner --></a>\n<!-- after -->',
    );
    expect(doc.name).toBe('a');
    expect(doc.attributes).toEqual({ x: '1', y: '<2>' });
    expect(doc.children[0]).toBe('t&u');
    expect(childElements(doc).map((e) => e.name)).toEqual(['b', 'c']);
    expect(textContent(childElements(doc, 'c')[0])).toBe('<raw & "x">AB"\'');
  });

  it('normalises line ends and attribute white space, strips a BOM', () => {
    const doc = parseXml('\uFEFF<a v="x\ty\nz">1\r\n2\r3</a>');
    expect(doc.attributes.v).toBe('x y z');
    expect(textContent(doc)).toBe('1\n2\n3');
  });

  it('reads characters beyond the BMP and non-ASCII names', () => {
    const doc = parseXml('<Grüße n="&#x1F600;">😀</Grüße>');
    expect(doc.name).toBe('Grüße');
    expect(doc.attributes.n).toBe('😀');
    expect(textContent(doc)).toBe('😀');
  });

  it.each([
    ['', /expected the root element/],
    ['text', /expected the root element/],
    ['<a>', /unclosed element <a>/],
    ['<a></b>', /does not match/],
    ['<a/><b/>', /content after the root element/],
    ['<a>x</a>y', /content after the root element/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ['<a x=1/>', /quoted attribute value/],
    ['<a x="<"/>', /"<" in an attribute value/],
    ['<a y="1"z="2"/>', /white space before an attribute/],
    ['<a>&nbsp;</a>', /undefined entity/],
    ['<a>&amp</a>', /malformed entity/],
    ['<a>&#0;</a>', /not a legal character/],
    ['<a>\u0001</a>', /invalid character U\+0001/],
    ['<a>]]></a>', /"]]>" in character data/],
    ['<a><!-- x -- y --></a>', /"--" inside a comment/],
    ['<a><![CDATA[x</a>', /unterminated CDATA/],
    ['<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', /document type declarations/],
    ['<a><?xml version="1.0"?></a>', /XML declaration is only allowed/],
    ['<1a/>', /expected a name/],
    ['</a>', /expected a name|unexpected end tag|expected the root/],
  ])('rejects %j', (text, message) => {
    expect(() => parseXml(text)).toThrow(XmlError);
    expect(() => parseXml(text)).toThrow(message);
  });

  it('hands out strings that keep nothing of the document alive (V8 heap snapshot)', () => {
    const doc = parseXml(
      `<ServiceProfileWithALongName id="sip:alice@ims.example.net;a=1">` +
        `${' '.repeat(2000)}<PublicIdentity>sip:alice@ims.example.net</PublicIdentity>` +
        `<x><![CDATA[sip:alice-cdata@ims.example.net]]></x></ServiceProfileWithALongName>`,
    );
    const unique = `k${Date.now()}${Math.random().toString(36).slice(2)}`;
    const kept = {
      [`${unique}name`]: doc.name,
      [`${unique}attribute`]: doc.attributes.id,
      [`${unique}text`]: textContent(childElements(doc, 'PublicIdentity')[0]),
      [`${unique}cdata`]: textContent(childElements(doc, 'x')[0]),
    };
    const types = Object.values(keptStringTypes(kept));
    expect(types).toHaveLength(4);
    expect(types.every((t) => t === 'string')).toBe(true);
  });

  it('reports the position of the error', () => {
    try {
      parseXml('<a>\n  <b>\n</a>');
      throw new Error('not reached');
    } catch (e) {
      expect(e).toBeInstanceOf(XmlError);
      expect((e as XmlError).line).toBe(3);
    }
  });

  it('bounds nesting depth without exhausting the stack', () => {
    const deep = '<a>'.repeat(100_000) + '</a>'.repeat(100_000);
    expect(() => parseXml(deep)).toThrow(/nested deeper than 64/);
    expect(parseXml('<a>'.repeat(10) + '</a>'.repeat(10), { maxDepth: 10 }).name).toBe('a');
  });
});

describe('escaping', () => {
  it('text and attributes read back unchanged', () => {
    const nasty = 'a<b>&c]]>"\'\r\n\tz';
    const doc = parseXml(`<r v="${escapeXmlAttribute(nasty)}">${escapeXmlText(nasty)}</r>`);
    expect(textContent(doc)).toBe(nasty);
    expect(doc.attributes.v).toBe(nasty);
  });

  it('reads back any mix of markup characters, references, white space and non-ASCII', () => {
    const alphabet = [
      'a',
      'Z',
      ' ',
      '<',
      '>',
      '&',
      ']',
      ']]>',
      '"',
      "'",
      '\t',
      '\n',
      '\r',
      'é',
      '😀',
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 300; n++) {
      let value = '';
      for (let k = next() % 40; k > 0; k--) value += alphabet[next() % alphabet.length];
      const doc = parseXml(
        `<ns:r-1.x é="${escapeXmlAttribute(value)}"><c>${escapeXmlText(value)}</c>` +
          `<![CDATA[${value.replace(/]/g, '')}]]></ns:r-1.x>`,
      );
      expect(doc.name).toBe('ns:r-1.x');
      expect(doc.attributes['é']).toBe(value);
      expect(textContent(childElements(doc, 'c')[0])).toBe(value);
      expect(doc.children[1] ?? '').toBe(value.replace(/]/g, '').replace(/\r\n?/g, '\n'));
    }
  });
});
